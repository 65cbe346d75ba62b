// Building the page. Every text from the server goes in as a text node, never as markup.

/**
 * An element: h('a', {href: '#/x', class: 'y'}, 'text', child, [more]). Attributes that are
 * false, null or undefined are left out; `on` takes event handlers; children may be strings,
 * nodes, arrays of them, or null (skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name === 'on') {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === 'text') {
      element.textContent = value;
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (child instanceof Node) element.appendChild(child);
    else element.appendChild(document.createTextNode(String(child)));
  }
}

/** Replaces the children of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

const live = () => document.getElementById('announcer');
const alerter = () => document.getElementById('alerter');

/** Says `message` to a screen reader (politely) and shows it in the page's status line. */
export function announce(message) {
  speak(live(), message);
  const line = document.getElementById('status-line');
  if (line) {
    line.classList.remove('error');
    line.textContent = message;
  }
}

/**
 * Says `message` to a screen reader (politely) without touching the status line, which keeps the
 * result of the person's own last action (for news nobody asked for, like a live event).
 */
export function mention(message) {
  speak(live(), message);
}

/** Says an error at once and shows it in the page's status line. */
export function alarm(message) {
  speak(alerter(), message);
  const line = document.getElementById('status-line');
  if (line) {
    line.classList.add('error');
    line.textContent = message;
  }
}

function speak(region, message) {
  if (!region) return;
  // emptied first, so the same message said twice is heard twice
  region.textContent = '';
  setTimeout(() => {
    region.textContent = message;
  }, 50);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "in 3 hours" for an ISO instant, relative to `now`. */
export function relativeTime(iso, now = Date.now()) {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return relative.format(Math.round(seconds / size), unit);
    }
  }
  return iso;
}

/** A <time> saying when, relative to now, with the absolute time as its title; "—" for none. */
export function when(iso, none = '—') {
  if (!iso) return h('span', { class: 'none' }, none);
  const date = new Date(iso);
  return h(
    'time',
    { datetime: iso, title: absolute.format(date) },
    relativeTime(iso),
  );
}

/** The absolute time, for a list where relative times would all read alike. */
export function at(iso) {
  if (!iso) return h('span', { class: 'none' }, '—');
  return h('time', { datetime: iso }, absolute.format(new Date(iso)));
}

/** A diagnosis (code, message, remedy) as a small block. */
export function diagnosis(d) {
  return h(
    'div',
    { class: 'diagnosis' },
    h('p', {}, h('code', {}, d.code), d.predicted ? ' (predicted)' : null, ': ', d.message),
    d.remedy ? h('p', { class: 'remedy' }, h('strong', {}, 'What to do: '), d.remedy) : null,
  );
}

/** The page's heading, the status line under it, and the content. */
export function page(title, ...content) {
  return [
    h('h1', { tabindex: '-1', id: 'page-title' }, title),
    h('p', { id: 'status-line', class: 'status-line', 'aria-hidden': 'true' }),
    ...content,
  ];
}

/** A label with its input and a one-line hint, the input described by the hint and its error. */
export function field({ name, label, hint, input }) {
  const hintId = `${name}-hint`;
  const errorId = `${name}-error`;
  input.id = input.id || `field-${name}`;
  input.name = name;
  input.setAttribute('aria-describedby', `${hintId} ${errorId}`);
  return h(
    'div',
    { class: 'field', 'data-field': name },
    h('label', { for: input.id }, label),
    input,
    hint ? h('small', { id: hintId, class: 'hint' }, hint) : h('small', { id: hintId, hidden: true }),
    h('small', { id: errorId, class: 'field-error', hidden: true }),
  );
}

/** A confirm step inside the page: a question with a yes and a no button. */
export function confirmStep(container, question, yesLabel, onYes) {
  const previous = document.activeElement;
  const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const yes = h('button', { type: 'button', class: 'danger' }, `Yes, ${yesLabel.toLowerCase()}`);
  const box = h('fieldset', { class: 'confirm' }, h('legend', {}, question), h('div', { class: 'actions' }, yes, no));
  const close = () => {
    box.remove();
    if (previous && previous.isConnected) previous.focus();
  };
  no.addEventListener('click', () => {
    close();
    announce('Cancelled.');
  });
  yes.addEventListener('click', async () => {
    yes.disabled = true;
    try {
      await onYes();
    } finally {
      box.remove();
    }
  });
  container.appendChild(box);
  no.focus();
  return box;
}

/** A table with its caption, column headers and rows, scrolling sideways on a narrow screen. */
export function table(caption, columns, rows) {
  // a region that scrolls sideways is reachable with the keyboard, and named by its caption
  return h(
    'div',
    { class: 'table-scroll', role: 'region', tabindex: '0', 'aria-label': caption },
    h(
      'table',
      { class: 'striped' },
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, columns.map((title) => h('th', { scope: 'col' }, title)))),
      h('tbody', {}, rows),
    ),
  );
}

/**
 * A value Callgate shows once (a new key, a secret, a link): read-only, selected, with a copy
 * button; `said` is announced.
 */
export function showOnce(container, { title, id, label, value, hint, said }) {
  const input = h('input', { type: 'text', readonly: true, value, id, 'aria-describedby': `${id}-hint` });
  replace(
    container,
    title ? h('h3', {}, title) : null,
    h('label', { for: id }, label),
    input,
    h('small', { id: `${id}-hint` }, hint),
    copyButton(input),
  );
  input.focus();
  input.select();
  announce(said);
}

/** A button that copies an input's value, saying whether it could. */
function copyButton(input) {
  const b = h('button', { type: 'button', class: 'secondary' }, 'Copy');
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(input.value);
      announce('Copied.');
    } catch {
      input.focus();
      input.select();
      announce('Selected: press Control+C (or Command+C) to copy.');
    }
  });
  return b;
}
