// API keys: the list, a new key (shown once), delete.

import { h, replace, page, announce, at, field, confirmStep, table, showOnce } from './dom.js';
import * as api from './api.js';
import { problemSummary, text, compact, refusal, onSubmit } from './forms.js';

const ROLES = [
  ['admin', 'manages everything and may call any credential'],
  ['caller', 'calls the credentials that list its subject'],
  ['metrics', 'reads /metrics when it requires a key'],
];

export async function keys(container, ctx) {
  const result = h('div', { class: 'action-result' });
  const listing = h('div');
  const row = (k) => {
    const remove = h('button', { type: 'button', class: 'secondary outline', 'aria-label': `Delete the key ${k.id} of ${k.subject}` }, 'Delete');
    remove.addEventListener('click', () =>
      confirmStep(result, `Delete the key ${k.id} of ${k.subject}? Whoever uses it is refused from then on.`, 'Delete', async () => {
        try {
          await api.del(`/v1/keys/${api.seg(k.id)}`);
          await list();
          document.getElementById('page-title').focus();
          announce(`Deleted the key ${k.id}.`);
        } catch (failure) {
          if (!(failure instanceof api.ApiProblem)) throw failure;
          refusal(result, failure);
        }
      }));
    return h('tr', {},
      h('th', { scope: 'row' }, h('code', {}, k.id)),
      h('td', {}, k.subject),
      h('td', {}, k.roles.join(', ')),
      h('td', {}, at(k.createdAt)),
      h('td', {}, remove));
  };
  // the list is drawn again after a change, leaving the rest of the page (a key shown once) as it is
  const list = async () => {
    const rows = (await api.get('/v1/keys')).map(row);
    replace(listing, rows.length ? table(`API keys: ${rows.length}`, ['Id', 'Subject', 'Roles', 'Created', 'Actions'], rows) : h('p', {}, 'No API keys.'));
  };
  await list();
  if (ctx.stale()) return;

  const summary = problemSummary();
  const form = h('form', { 'aria-labelledby': 'new-key-title', novalidate: true },
    summary,
    field({ name: 'subject', label: 'Subject', hint: 'Who calls with the key: credentials list subjects as allowed callers, and a per-user credential’s token belongs to it.', input: h('input', { type: 'text', autocomplete: 'off', required: true }) }),
    h('fieldset', { 'data-field': 'roles', 'aria-describedby': 'roles-error' }, h('legend', {}, 'Roles'),
      ROLES.map(([role, what]) =>
        h('label', { for: `role-${role}` }, h('input', { type: 'checkbox', id: `role-${role}`, name: 'roles', value: role, checked: role === 'caller' }), `${role}: ${what}`)),
      h('small', { id: 'roles-error', class: 'field-error', hidden: true })),
    h('button', { type: 'submit' }, 'Create key'));
  const shown = h('div', { class: 'action-result' });
  onSubmit(form, async () => {
    const roles = [...form.querySelectorAll('input[name=roles]:checked')].map((r) => r.value);
    const created = await api.post('/v1/keys', compact({ subject: text(form, 'subject'), roles }));
    form.reset();
    await list();
    showOnce(shown, {
      title: `Key for ${created.subject}`,
      id: 'new-key',
      label: 'The new key',
      value: created.key,
      hint: 'Copy it now: Callgate keeps only its hash and shows it this once.',
      said: `Created a key for ${created.subject}. It is shown once and selected: copy it now.`,
    });
  });

  replace(
    container,
    ...page(
      'API keys',
      result,
      listing,
      h('section', { 'aria-labelledby': 'new-key-title' }, h('h2', { id: 'new-key-title' }, 'New API key'), form, shown),
    ),
  );
}
