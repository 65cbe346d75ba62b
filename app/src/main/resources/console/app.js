// The console: hash routes, the session, and moving focus to each new page's heading.

import { h, replace, announce, alarm, page } from './dom.js';
import * as api from './api.js';
import { signIn } from './signin.js';
import { credentials } from './credentials.js';
import { credential } from './credential.js';
import { providers, provider } from './providers.js';
import { keys } from './keys.js';
import { webhooks } from './webhooks.js';

const ROUTES = [
  [/^#?\/?$/, credentials],
  [/^#\/credentials$/, credentials],
  [/^#\/credentials\/\+new$/, (c, ctx) => credential(c, ctx, null)],
  [/^#\/credentials\/([^/]+)$/, (c, ctx, name) => credential(c, ctx, name)],
  [/^#\/providers$/, providers],
  [/^#\/providers\/\+new$/, (c, ctx) => provider(c, ctx, null)],
  [/^#\/providers\/([^/]+)$/, (c, ctx, name) => provider(c, ctx, name)],
  [/^#\/keys$/, keys],
  [/^#\/webhooks$/, webhooks],
];

let signedIn = null;
let generation = 0;
let leaving = [];
let firstRender = true;
// callers of ctx.go waiting for the page they asked for to be drawn
let drawn = [];

const main = () => document.getElementById('main');

function viewFor(hash) {
  for (const [pattern, view] of ROUTES) {
    const match = pattern.exec(hash);
    if (match) return (container, ctx) => view(container, ctx, ...match.slice(1).map(decodeURIComponent));
  }
  return notFound;
}

function notFound(container) {
  replace(
    container,
    ...page(
      'Page not found',
      h('p', {}, 'The console has no page at this address.'),
      h('p', {}, h('a', { href: '#/credentials' }, 'Go to the credentials')),
    ),
  );
}

/** Shows the page the address names; the sign-in form while nobody is signed in. */
async function render() {
  const waiting = drawn;
  drawn = [];
  try {
    await draw();
  } finally {
    waiting.forEach((resolve) => resolve());
  }
}

async function draw() {
  leaving.forEach((close) => close());
  leaving = [];
  const mine = ++generation;
  const ctx = {
    stale: () => mine !== generation,
    onLeave: (close) => leaving.push(close),
    // resolves once the page is drawn, so a message said afterwards is not drawn over
    go: (hash) => {
      if (location.hash === hash) return render();
      const done = new Promise((resolve) => drawn.push(resolve));
      location.hash = hash;
      return done;
    },
  };
  const container = main();
  if (!signedIn) {
    showNavigation(false);
    signIn(container, ctx, welcome);
    settle(ctx);
    return;
  }
  showNavigation(true);
  markCurrent();
  replace(container, h('p', { 'aria-busy': 'true' }, 'Loading…'));
  try {
    await viewFor(location.hash)(container, ctx);
  } catch (failure) {
    if (ctx.stale() || !signedIn) return;
    replace(
      container,
      ...page(
        'Something went wrong',
        h('p', { class: 'error' }, failure instanceof api.ApiProblem ? failure.sentence : String(failure)),
        h('p', {}, h('a', { href: '#/credentials' }, 'Go to the credentials')),
      ),
    );
    alarm(failure instanceof api.ApiProblem ? failure.sentence : String(failure));
  }
  settle(ctx);
}

/** Names the page after its heading and, after a navigation, puts the focus on that heading. */
function settle(ctx) {
  if (ctx.stale()) return;
  const heading = main().querySelector('h1');
  document.title = heading ? `${heading.textContent} · Callgate console` : 'Callgate console';
  if (firstRender) {
    firstRender = false;
    return;
  }
  if (heading) heading.focus();
}

function showNavigation(shown) {
  document.getElementById('nav').hidden = !shown;
  document.getElementById('who').textContent = shown ? `Signed in as ${signedIn.subject}` : '';
}

function markCurrent() {
  const section = (location.hash.match(/^#\/([a-z]+)/) || [null, 'credentials'])[1];
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.getAttribute('href') === `#/${section}`) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
}

function welcome(session) {
  signedIn = session;
  api.session(session);
  if (!location.hash || location.hash === '#/sign-in') location.hash = '#/credentials';
  render().then(() => announce(`Signed in as ${session.subject}.`));
}

async function signOut() {
  try {
    await api.del('/console/session');
  } catch (failure) {
    if (failure.status !== 401) {
      alarm(`Sign-out failed. ${failure.sentence}`);
      return;
    }
  }
  signedIn = null;
  api.session(null);
  await render();
  document.querySelector('h1')?.focus();
  announce('Signed out.');
}

api.whenSignedOut((problem) => {
  if (!signedIn) return;
  signedIn = null;
  api.session(null);
  render().then(() => alarm(`Please sign in again: ${problem.message}`));
});

document.getElementById('sign-out').addEventListener('click', signOut);
document.querySelector('.skip-link').addEventListener('click', (event) => {
  event.preventDefault();
  main().focus();
});
window.addEventListener('hashchange', () => {
  // in-page links that are not routes (like the skip link's target) do not change the page
  if (location.hash === '' || location.hash.startsWith('#/')) render();
});

async function start() {
  try {
    const session = await api.get('/console/session');
    signedIn = session;
    api.session(session);
  } catch (failure) {
    signedIn = null;
    if (failure.status !== 401) alarm(failure.sentence);
  }
  await render();
}

start();
