// The credentials: every credential with each of its tokens, and the ones that wait for a person.

import { h, replace, page, when, announce } from './dom.js';
import * as api from './api.js';
import { stateBadge, currentDiagnosis } from './status.js';
import { needsAPerson, TOKEN_PROTOCOLS } from './states.js';

export async function credentials(container, ctx) {
  const [fleet, configured] = await Promise.all([api.get('/v1/status'), api.get('/v1/credentials')]);
  if (ctx.stale()) return;
  const byName = new Map(configured.map((c) => [c.name, c]));
  const all = fleet.credentials.map((c) => ({ ...c, configuration: byName.get(c.name) || {} }));

  const filter = h('input', { type: 'checkbox', id: 'needs-person', role: 'switch', 'aria-describedby': 'needs-person-hint' });
  const body = h('tbody');
  const caption = h('caption');
  const table = h(
    'table',
    { class: 'striped' },
    caption,
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Name', 'Protocol', 'Principal', 'State', 'Access token expires', 'Refresh token expires', 'Next refresh', 'Current diagnosis'].map(
          (title) => h('th', { scope: 'col' }, title),
        ),
      ),
    ),
    body,
  );

  const show = () => {
    const only = filter.checked;
    const shown = all.filter((c) => !only || waitsForAPerson(c));
    replace(body, shown.flatMap(rows));
    caption.textContent = only
      ? `Credentials that need a person: ${shown.length} of ${all.length}`
      : `All credentials: ${all.length}`;
    if (shown.length === 0) {
      replace(
        body,
        h('tr', {}, h('td', { colspan: '8' }, only ? 'No credential needs a person.' : 'No credentials yet: create one with New credential.')),
      );
    }
    return shown.length;
  };
  filter.addEventListener('change', () => {
    const count = show();
    announce(filter.checked ? `Showing ${count} of ${all.length} credentials: those that need a person.` : `Showing all ${all.length} credentials.`);
  });

  replace(
    container,
    ...page(
      'Credentials',
      h('p', {}, h('button', { type: 'button', on: { click: () => ctx.go('#/credentials/+new') } }, 'New credential')),
      h(
        'fieldset',
        {},
        h('label', { for: 'needs-person' }, filter, 'Only those that need a person'),
        h(
          'small',
          { id: 'needs-person-hint' },
          'A person must act when a token is UNAUTHORIZED (an authorization-code credential never authorized), NEEDS_AUTHORIZATION (its grant expired or was revoked at the provider), ' +
            "REVOKED (revoked on request) or CLIENT_REJECTED (the provider refused Callgate's client: fix the provider). " +
            'In every other state, REFRESH_FAILED included, Callgate carries on by itself.',
        ),
      ),
      h('div', { class: 'table-scroll', role: 'region', tabindex: '0', 'aria-label': 'Credentials' }, table),
    ),
  );
  show();
}

function waitsForAPerson(c) {
  return c.tokens.some((t) => needsAPerson(t.state, c.protocol));
}

/** One row per token; a credential without tokens still has its row. */
function rows(c) {
  const link = h('a', { href: `#/credentials/${api.seg(c.name)}` }, c.name);
  const lead = (rowspan) => [
    h('th', { scope: 'row', rowspan }, link),
    h('td', { rowspan }, c.protocol),
    h('td', { rowspan }, c.principal),
  ];
  if (c.tokens.length === 0) {
    const why = !TOKEN_PROTOCOLS.has(c.protocol)
      ? 'No token: this protocol needs none.'
      : c.principal === 'per_user'
        ? 'No user has authorized yet.'
        : 'No token yet.';
    return [h('tr', {}, lead(1), h('td', { colspan: '5' }, why))];
  }
  return c.tokens.map((t, i) =>
    h(
      'tr',
      {},
      i === 0 ? lead(c.tokens.length) : null,
      h('td', {}, stateBadge(t, c.protocol), t.user ? h('small', { class: 'muted' }, ` for ${t.user}`) : null),
      h('td', {}, when(t.accessTokenExpiresAt)),
      h('td', {}, t.hasRefreshToken ? when(t.refreshTokenExpiresAt, 'not known') : 'no refresh token'),
      h('td', {}, when(t.nextRefreshAt)),
      h('td', {}, currentDiagnosis(t)),
    ),
  );
}
