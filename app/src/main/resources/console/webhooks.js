// Webhooks: the subscriptions, a new one (its signing secret shown once), delete, deliveries.

import { h, replace, page, announce, alarm, at, when, field, confirmStep, table, showOnce } from './dom.js';
import * as api from './api.js';
import { problemSummary, text, refusal, onSubmit } from './forms.js';
import { eventTypes } from './timeline.js';

export async function webhooks(container, ctx) {
  const result = h('div', { class: 'action-result' });
  const listing = h('div');
  const deliveries = h('section');
  const row = (w) => {
    const show = h('button', { type: 'button', class: 'secondary', 'aria-label': `Deliveries to ${w.url}` }, 'Deliveries');
    show.addEventListener('click', async () => {
      try {
        const answer = await api.get(`/v1/webhooks/${api.seg(w.id)}/deliveries`);
        replace(deliveries, deliveryTable(w, answer.deliveries || []));
        deliveries.querySelector('h2').focus();
      } catch (failure) {
        if (!(failure instanceof api.ApiProblem)) throw failure;
        alarm(failure.sentence);
      }
    });
    const remove = h('button', { type: 'button', class: 'secondary outline', 'aria-label': `Delete the webhook to ${w.url}` }, 'Delete');
    remove.addEventListener('click', () =>
      confirmStep(result, `Delete the webhook to ${w.url}? Its pending deliveries are dropped.`, 'Delete', async () => {
        try {
          await api.del(`/v1/webhooks/${api.seg(w.id)}`);
          await list();
          document.getElementById('page-title').focus();
          announce(`Deleted the webhook to ${w.url}.`);
        } catch (failure) {
          if (!(failure instanceof api.ApiProblem)) throw failure;
          refusal(result, failure);
        }
      }));
    return h('tr', {},
      h('th', { scope: 'row' }, w.url),
      h('td', {}, w.events ? w.events.join(', ') : 'every event'),
      h('td', {}, at(w.createdAt)),
      h('td', {}, String(w.pending)),
      h('td', {}, w.failingSince ? ['failing since ', when(w.failingSince), w.lastError ? `: ${w.lastError}` : ''] : 'healthy'),
      h('td', {}, h('div', { class: 'row-actions' }, show, remove)));
  };
  // the list is drawn again after a change, leaving the rest of the page (a secret shown once) as it is
  const list = async () => {
    const rows = (await api.get('/v1/webhooks')).map(row);
    replace(listing, rows.length ? table(`Webhooks: ${rows.length}`, ['URL', 'Events', 'Created', 'Pending', 'Health', 'Actions'], rows) : h('p', {}, 'No webhooks yet.'));
  };
  const [types] = await Promise.all([eventTypes(), list()]);
  if (ctx.stale()) return;

  const summary = problemSummary();
  const form = h('form', { 'aria-labelledby': 'new-webhook-title', novalidate: true },
    summary,
    field({ name: 'url', label: 'URL', hint: 'Where Callgate POSTs each event, signed per the Standard Webhooks specification (https; http only to loopback).', input: h('input', { type: 'url', autocomplete: 'off', required: true }) }),
    h('fieldset', { 'data-field': 'events' }, h('legend', {}, 'Event types (none checked: every event)'),
      h('div', { class: 'checkbox-columns' },
        types.map((t) => h('label', { for: `type-${t}` }, h('input', { type: 'checkbox', id: `type-${t}`, name: 'events', value: t }), t))),
      h('small', { class: 'field-error', hidden: true })),
    h('button', { type: 'submit' }, 'Create webhook'));
  const shown = h('div', { class: 'action-result' });
  onSubmit(form, async () => {
    const events = [...form.querySelectorAll('input[name=events]:checked')].map((e) => e.value);
    const created = await api.post('/v1/webhooks', { url: text(form, 'url'), ...(events.length ? { events } : {}) });
    form.reset();
    await list();
    showOnce(shown, {
      title: `Webhook to ${created.url}`,
      id: 'webhook-secret',
      label: 'Signing secret',
      value: created.secret,
      hint: 'Copy it now into the receiver, which verifies each request with it: Callgate shows it this once.',
      said: `Created the webhook to ${created.url}. Its signing secret is shown once and selected: copy it now.`,
    });
  });

  replace(
    container,
    ...page(
      'Webhooks',
      result,
      listing,
      deliveries,
      h('section', { 'aria-labelledby': 'new-webhook-title' }, h('h2', { id: 'new-webhook-title' }, 'New webhook'), form, shown),
    ),
  );
}

function deliveryTable(webhook, deliveries) {
  return [
    h('h2', { tabindex: '-1' }, `Deliveries to ${webhook.url}`),
    deliveries.length
      ? table(`The latest deliveries: ${deliveries.length}`, ['Event', 'Type', 'Credential', 'Status', 'Attempts', 'Last attempt', 'Last answer', 'Next attempt'],
          deliveries.map((d) =>
            h('tr', {},
              h('th', { scope: 'row' }, d.eventId),
              h('td', {}, d.type),
              h('td', {}, d.credential || '—'),
              h('td', {}, d.status),
              h('td', {}, String(d.attempts)),
              h('td', {}, at(d.lastAttemptAt)),
              h('td', {}, d.lastStatus ? String(d.lastStatus) : d.lastError || '—'),
              h('td', {}, when(d.nextAttemptAt)))))
      : h('p', {}, 'No deliveries yet.'),
  ];
}
