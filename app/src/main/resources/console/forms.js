// Forms: the API's problems shown beside the fields they name, and a summary that lists them all.

import { h, replace, alarm, diagnosis } from './dom.js';
import { ApiProblem } from './api.js';

/** The error summary of a form: filled by showProblems, a link to each field it can name. */
export function problemSummary() {
  return h('div', { class: 'problem-summary', hidden: true, tabindex: '-1' });
}

export function clearProblems(form) {
  for (const error of form.querySelectorAll('.field-error')) {
    error.hidden = true;
    error.textContent = '';
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const summary = form.querySelector('.problem-summary');
  if (summary) {
    summary.hidden = true;
    summary.replaceChildren();
  }
}

/**
 * Shows each problem of `failure` (an ApiProblem) beside its field (the field is marked invalid
 * and described by the message), lists them all at the top of the form, and says them.
 */
export function showProblems(form, failure) {
  clearProblems(form);
  const items = [];
  for (const p of failure.problems) {
    // a field of its own (templateParameters.tenant) is shown beside it; a part of a field
    // (refreshOn[0].status) beside the field (refreshOn)
    const box = p.field
      ? form.querySelector(`[data-field="${CSS.escape(p.field)}"]`)
        || form.querySelector(`[data-field="${CSS.escape(p.field.replace(/[[.].*$/, ''))}"]`)
      : null;
    const input = box ? box.querySelector('input, select, textarea') : null;
    const text = `${p.message}${p.remedy ? ' ' + p.remedy : ''}`;
    if (box && input) {
      const error = box.querySelector('.field-error');
      error.hidden = false;
      error.textContent = error.textContent ? `${error.textContent} ${text}` : text;
      input.setAttribute('aria-invalid', 'true');
      items.push(
        h(
          'li',
          {},
          h(
            'a',
            {
              href: `#${input.id}`,
              on: {
                click: (event) => {
                  event.preventDefault();
                  input.focus();
                },
              },
            },
            `${p.code}: ${p.message}`,
          ),
        ),
      );
    } else {
      items.push(h('li', {}, `${p.code || 'ERROR'}: ${text}`));
    }
  }
  const summary = form.querySelector('.problem-summary');
  const count = items.length;
  const heading = count === 1 ? 'Callgate refused this: 1 problem' : `Callgate refused this: ${count} problems`;
  if (summary) {
    replace(summary, h('h2', {}, heading), h('ul', {}, items));
    summary.hidden = false;
    summary.focus();
  }
  alarm(`${heading}. ${failure.problems.map((p) => p.message).join(' ')}`);
}

/** A value of a text input, or undefined when it is blank (so the API applies its default). */
export function text(form, name) {
  const input = form.elements.namedItem(name);
  if (!input) return undefined;
  const value = input.value.trim();
  return value === '' ? undefined : value;
}

/** A list typed as words separated by commas, spaces or new lines. */
export function list(form, name) {
  const value = text(form, name);
  return value === undefined ? undefined : value.split(/[\s,]+/).filter((v) => v !== '');
}

export function checked(form, name) {
  const input = form.elements.namedItem(name);
  return input ? input.checked : undefined;
}

/** Drops the fields left undefined. */
export function compact(object) {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

/** Disables a form's buttons while `work` runs. */
export async function busy(form, work) {
  const buttons = [...form.querySelectorAll('button')];
  buttons.forEach((b) => (b.disabled = true));
  form.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    buttons.forEach((b) => (b.disabled = false));
    form.removeAttribute('aria-busy');
  }
}

/** Shows a refusal of the API in `result` and says it; anything else is a bug and goes on. */
export function refusal(result, failure, action) {
  if (!(failure instanceof ApiProblem)) throw failure;
  replace(
    result,
    action ? h('h3', {}, `${action}: refused`) : null,
    diagnosis({ code: failure.code, message: failure.message, remedy: failure.problem.remedy }),
  );
  alarm(`${action ? action + ' refused. ' : ''}${failure.sentence}`);
}

/**
 * Runs `work` when the form is sent: its problems cleared, its buttons disabled meanwhile, and a
 * refusal of the API shown beside the fields.
 */
export function onSubmit(form, work) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearProblems(form);
    await busy(form, async () => {
      try {
        await work();
      } catch (failure) {
        if (!(failure instanceof ApiProblem)) throw failure;
        showProblems(form, failure);
      }
    });
  });
}
