// A token's status (GET /v1/status, one entry of a credential's tokens) as cells and blocks.

import { h, when, diagnosis } from './dom.js';
import { STATES, needsAPerson } from './states.js';

/** The state as a word with a sign that does not depend on colour. */
export function stateBadge(status, protocol) {
  const state = status.state;
  const needs = needsAPerson(state, protocol);
  return h(
    'span',
    { class: `state state-${state.toLowerCase()}${needs ? ' needs-person' : ''}`, title: STATES[state] || state },
    needs ? h('span', { 'aria-hidden': 'true' }, '⚠ ') : null,
    state,
    status.predicted ? ' (predicted)' : null,
    needs ? h('span', { class: 'visually-hidden' }, ', needs a person') : null,
  );
}

/** Who holds the grant at the provider. */
export function identity(status) {
  const who = status.identity;
  if (!who) return h('span', { class: 'none' }, '—');
  const name = who.preferredUsername || who.email || who.sub;
  return h('span', {}, name, name !== who.sub ? h('small', { class: 'muted' }, ` (sub ${who.sub})`) : null);
}

export function currentDiagnosis(status) {
  const first = (status.diagnoses || [])[0];
  return first ? diagnosis(first) : h('span', { class: 'none' }, 'none');
}

/** A description list of one token's status. */
export function statusBlock(status, protocol) {
  const rows = [
    ['State', h('span', {}, stateBadge(status, protocol), ' — ', STATES[status.state] || '')],
    status.user ? ['User', status.user] : null,
    status.identity ? ['Provider identity', identity(status)] : null,
    ['Access token expires', when(status.accessTokenExpiresAt)],
    ['Refresh token expires', status.hasRefreshToken ? when(status.refreshTokenExpiresAt, 'not known') : 'no refresh token'],
    ['Next refresh', when(status.nextRefreshAt)],
    ['Last refresh', when(status.lastRefreshAt)],
    ['Last used', when(status.lastUsedAt)],
    status.scopes ? ['Scopes', status.scopes.join(' ') || '—'] : null,
    status.failures
      ? ['Failures', `${status.failures.count} in a row; next attempt `, when(status.failures.nextAttemptAt)]
      : null,
  ].filter(Boolean);
  return h(
    'div',
    {},
    h('dl', { class: 'status' }, rows.map(([term, ...value]) => [h('dt', {}, term), h('dd', {}, ...value)])),
    h('h3', {}, 'Diagnoses'),
    (status.diagnoses || []).length
      ? h('ul', { class: 'diagnoses' }, status.diagnoses.map((d) => h('li', {}, diagnosis(d))))
      : h('p', {}, 'None: nothing is wrong that Callgate knows of.'),
  );
}
