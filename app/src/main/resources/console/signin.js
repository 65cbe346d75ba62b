// Sign-in with an admin API key: the key goes in the request body, once; the session is a cookie
// the script cannot read.

import { h, replace, page } from './dom.js';
import * as api from './api.js';
import { problemSummary, showProblems, busy } from './forms.js';

export function signIn(container, ctx, welcome) {
  const key = h('input', {
    type: 'password',
    id: 'admin-key',
    name: 'key',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
    'aria-describedby': 'admin-key-hint key-error',
  });
  const form = h(
    'form',
    { 'aria-labelledby': 'page-title', novalidate: true },
    problemSummary(),
    h('div', { class: 'field', 'data-field': 'key' },
      h('label', { for: 'admin-key' }, 'Admin API key'),
      key,
      h('small', { id: 'admin-key-hint' },
        'An API key with the admin role: CALLGATE_ADMIN_KEY, or the key printed at first start. ' +
          'The console keeps a session cookie, never the key.'),
      h('small', { id: 'key-error', class: 'field-error', hidden: true })),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (key.value.trim() === '') {
      showProblems(form, new api.ApiProblem(400, {
        code: 'KEY_MISSING', detail: 'Type the admin API key.', facts: { field: 'key' },
      }));
      return;
    }
    await busy(form, async () => {
      try {
        const session = await api.post('/console/session', { key: key.value.trim() });
        key.value = '';
        welcome(session);
      } catch (failure) {
        key.value = '';
        showProblems(form, explained(failure));
      }
    });
  });
  replace(container, ...page('Sign in to the Callgate console', form));
}

/** A refused sign-in in words that say which key to use. */
function explained(failure) {
  const why = {
    401: 'Callgate does not know this key.',
    403: 'This key has no admin role; the console needs an admin key.',
  }[failure.status];
  if (!why) return failure;
  return new api.ApiProblem(failure.status, {
    code: failure.code,
    detail: why,
    remedy: 'Use an API key with the admin role.',
    facts: { field: 'key' },
  });
}
