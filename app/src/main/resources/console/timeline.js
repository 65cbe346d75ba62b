// A credential's events, newest first: the stored ones, then each new one as Callgate records it
// (Server-Sent Events, which carry the session cookie).

import { h, replace, at, diagnosis, mention } from './dom.js';
import * as api from './api.js';

let knownTypes = null;

/** The event types the API documents (its OpenAPI document lists them). */
export async function eventTypes() {
  if (!knownTypes) {
    const response = await fetch('/openapi.json', { credentials: 'same-origin' });
    const document = await response.json();
    knownTypes = document.components.schemas.EventType.enum;
  }
  return knownTypes;
}

const PAGES = 20;

export async function timeline(section, ctx, credential) {
  const list = h('ol', { class: 'timeline', reversed: true, 'aria-label': `Events of ${credential}, newest first` });
  const state = h('p', { class: 'muted' }, 'Loading the events…');
  section.append(state, list);

  const query = `credential=${api.seg(credential)}`;
  const stored = [];
  let cursor = '0';
  for (let i = 0; i < PAGES; i++) {
    const pageOfEvents = await api.get(`/v1/events?${query}&after=${cursor}&limit=500`);
    if (ctx.stale()) return;
    stored.push(...pageOfEvents.events);
    if (pageOfEvents.events.length === 0 || pageOfEvents.next === cursor) break;
    cursor = pageOfEvents.next;
  }
  replace(list, stored.reverse().map(item));
  state.textContent = stored.length ? 'Live: new events appear at the top.' : 'No events yet. Live: new events appear here.';

  const types = await eventTypes();
  if (ctx.stale()) return;
  const source = new EventSource(`/v1/events?${query}&after=${cursor}`);
  ctx.onLeave(() => source.close());
  const seen = new Set(stored.map((e) => e.id));
  const onEvent = (message) => {
    const event = JSON.parse(message.data);
    if (seen.has(event.id)) return;
    seen.add(event.id);
    list.prepend(item(event));
    state.textContent = 'Live: new events appear at the top.';
    mention(`New event: ${event.type}${event.user ? ' for ' + event.user : ''}.`);
  };
  // each event is named by its type, so one listener per type the API knows
  for (const type of types) source.addEventListener(type, onEvent);
  source.addEventListener('message', onEvent);
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) state.textContent = 'The live view closed; reload the page to resume it.';
  });
}

function item(event) {
  return h(
    'li',
    { 'data-event-id': event.id },
    h('p', {},
      h('code', {}, event.type), ' ',
      at(event.time),
      event.user ? [' · user ', h('strong', {}, event.user)] : null,
      event.actor ? [' · by ', event.actor.subject] : null),
    event.diagnosis ? diagnosis(event.diagnosis) : null,
  );
}
