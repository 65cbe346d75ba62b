// What the browser tests share: Debian's chromium driven by playwright-core, a page that fails its
// test when anything goes wrong in it, screenshots, and the settings BrowserTest passes.
//
//   import { test } from 'node:test';
//   import { api, newPage, screenshot, settings, signInAtProvider } from './support.mjs';
//
//   test('the console lists credentials', async (t) => {
//     const page = await newPage(t);          // a fresh browser context (no cookies, own profile)
//     await page.goto(`${settings().callgateUrl}/console/`);
//     await screenshot(page, 'console-home');
//   });
//
// When the test ends, it fails if the page had an uncaught script error, logged a console error,
// or saw a request of its own origin fail or answer 4xx/5xx, unless the test said it expects that
// answer: newPage(t, { expected: [{ url: /\/connect\//, status: 410 }] }), or expectAnswer(page,
// { url, status }) later. Pages reach loopback addresses only: anything else is refused.
//
// BrowserTest (mvn -Dtest=BrowserTest) runs every *.test.mjs of this directory, one file at a time,
// against one Callgate, one node-oidc-provider and one target API: settings() gives their
// addresses, the admin key and the provider's client; api() calls Callgate as the admin;
// signInAtProvider() gets through the provider's login and consent pages. Everything a test
// creates in Callgate should carry a name of the test's own.
//
// checkAccessibility(page, name) audits what the page shows now with axe-core (WCAG 2.1 A and AA,
// dark and light colour scheme): a serious or critical violation fails the test, lesser ones are
// logged.
import { after } from 'node:test';
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const LAUNCH_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
];
const DEFAULT_SCREENSHOTS = fileURLToPath(
  new URL('../../../target/browser-screenshots', import.meta.url),
);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
// How long an action (click, fill, wait for a selector) or a navigation may take.
const ACTION_TIMEOUT_MS = 15_000;

/**
 * The settings BrowserTest passes in the environment, read when a test asks for them, so that a
 * test needing none (support.test.mjs) runs without them.
 */
export function settings() {
  return {
    callgateUrl: required('CALLGATE_URL'),
    adminKey: required('CALLGATE_ADMIN_KEY'),
    oidcIssuer: required('OIDC_ISSUER'),
    oidcClientId: required('OIDC_CLIENT_ID'),
    oidcClientSecret: required('OIDC_CLIENT_SECRET'),
    targetUrl: required('TARGET_URL'),
    // a second Callgate (same admin key, same provider) whose connect links live two seconds
    shortLinksUrl: required('CALLGATE_SHORT_LINKS_URL'),
  };
}

/**
 * Lists a secret a page showed (a new API key, a webhook's signing secret) for the build's secret
 * scan: BrowserTest registers every one after the run, so a log line holding it fails the build.
 */
export async function registerSecret(what, value) {
  await appendFile(required('SECRETS_FILE'), `${JSON.stringify({ what, value })}\n`);
}

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests through BrowserTest (mvn verify)`);
  }
  return value;
}

/**
 * Calls Callgate's API as the admin (Bearer key): JSON in, {status, headers, json, text} out.
 * Neither the key nor the answer is printed. `at` is another Callgate's address (shortLinksUrl).
 */
export async function api(method, pathAndQuery, body, { at = settings().callgateUrl } = {}) {
  const { adminKey } = settings();
  const response = await fetch(new URL(pathAndQuery, at), {
    method,
    headers: {
      Authorization: `Bearer ${adminKey}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

let browser;

/** The browser of this test file, launched on first use and closed after the file's tests. */
export function launch() {
  browser ??= chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: LAUNCH_ARGS,
  });
  return browser;
}

after(async () => {
  if (browser) {
    await (await browser).close();
  }
});

const watches = new WeakMap();

/**
 * A page in a new browser context (its own cookies and storage), watched for problems; when the
 * test `t` ends the context closes and the test fails if the page had an unexpected one.
 */
export async function newPage(t, { expected = [] } = {}) {
  const context = await (await launch()).newContext();
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  // Every server of these tests is on this machine: nothing else is fetched (node-oidc-provider's
  // pages import a web font), so a test neither waits on the internet nor depends on it.
  await context.route(
    (url) => !LOOPBACK_HOSTS.has(url.hostname),
    (route) => route.abort('blockedbyclient'),
  );
  const page = await context.newPage();
  const watch = watchPage(page, expected);
  t.after(async () => {
    // What closing the page cancels (a stream of events, a request in flight) is no problem.
    watch.closing = true;
    // The page as the test left it, to see why it failed; a page that cannot be drawn any more
    // (it crashed, it was closed) is no reason of its own to fail.
    await screenshot(page, `${slug(t.name)}-last`).catch(() => {});
    await context.close();
    // Said in the report also when the test failed already (its own error is the one shown then):
    // a page's error is often why a selector was never found.
    unexpected(watch).forEach((problem) => t.diagnostic(`page problem: ${describe(problem)}`));
    watch.check();
  });
  return page;
}

/** Says that `page` may get an answer matching `answer` ({url, status}) without failing. */
export function expectAnswer(page, answer) {
  watches.get(page).expected.push(answer);
}

/**
 * Records what goes wrong in `page`: uncaught script errors, console errors, and requests
 * of the page's own origin that fail or answer 4xx/5xx. `check()` throws when one that is
 * not `expected` happened.
 */
export function watchPage(page, expected = []) {
  const watch = { expected: [...expected], problems: [], closing: false };
  watch.check = () => check(watch);
  watches.set(page, watch);
  const record = (kind, detail, url, status) => {
    if (!watch.closing) watch.problems.push({ kind, detail, url, status });
  };

  page.on('pageerror', (error) => record('uncaught script error', error.stack ?? String(error)));
  page.on('console', (message) => {
    // Chromium also logs every failed load as a console error: the page's own are recorded below
    // from the response itself, and the others (the browser's favicon, another origin's resource)
    // are not the page's doing.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource:')) {
      record('console error', message.text(), message.location()?.url);
    }
  });
  page.on('requestfailed', (request) => {
    const error = request.failure()?.errorText;
    // ERR_ABORTED: the browser itself cancelled it (the page navigated away meanwhile)
    if (ownOrigin(request) && error !== 'net::ERR_ABORTED') {
      record('failed request', `${request.method()} ${error}`, request.url());
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && ownOrigin(response.request())) {
      record(
        `HTTP ${response.status()} answer`,
        `${response.request().method()} ${response.statusText()}`,
        response.url(),
        response.status(),
      );
    }
  });
  return watch;
}

/**
 * Whether the request is the page's own: a navigation (the document itself), or a request to the
 * origin of the document that made it.
 */
function ownOrigin(request) {
  if (request.isNavigationRequest()) return true;
  try {
    return new URL(request.url()).origin === new URL(request.frame().url()).origin;
  } catch {
    return false;
  }
}

function unexpected(watch) {
  return watch.problems.filter(
    (problem) => !watch.expected.some((allowed) => matches(allowed, problem)),
  );
}

function check(watch) {
  const problems = unexpected(watch);
  if (problems.length > 0) {
    throw new Error(
      `the page had ${problems.length} unexpected problem(s):\n` +
        problems.map((problem) => `  - ${describe(problem)}`).join('\n'),
    );
  }
}

function describe({ kind, detail, url }) {
  return `${kind}: ${detail}${url ? ` (${withoutQuery(url)})` : ''}`;
}

function matches(allowed, problem) {
  if (problem.url === undefined || problem.status === undefined) return false;
  const urlMatches =
    allowed.url instanceof RegExp ? allowed.url.test(problem.url) : allowed.url === problem.url;
  return urlMatches && (allowed.status === undefined || allowed.status === problem.status);
}

// A query may carry a code or a state: the report names the path only.
function withoutQuery(url) {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/**
 * Signs in at node-oidc-provider's own pages (its development login and consent forms), which
 * `page` shows now: any login with any password, then Continue on the consent page. Takes
 * the screenshots `<prefix>-provider-login` and `<prefix>-provider-consent`. The
 * provider then redirects the browser back to its client.
 */
export async function signInAtProvider(page, { login = 'alice', prefix = 'sign-in' } = {}) {
  await page.locator(PROVIDER.login).waitFor();
  await screenshot(page, `${prefix}-provider-login`);
  await page.locator(PROVIDER.login).fill(login);
  await page.locator(PROVIDER.password).fill('any password');
  await page.locator(PROVIDER.loginSubmit).click();
  await page.locator(PROVIDER.consentSubmit).waitFor();
  await screenshot(page, `${prefix}-provider-consent`);
  await page.locator(PROVIDER.consentSubmit).click();
}

/** The form fields of node-oidc-provider's development login and consent pages. */
export const PROVIDER = {
  login: 'form:has(input[name="prompt"][value="login"]) input[name="login"]',
  password: 'form:has(input[name="prompt"][value="login"]) input[name="password"]',
  loginSubmit: 'form:has(input[name="prompt"][value="login"]) button[type="submit"]',
  consentSubmit: 'form:has(input[name="prompt"][value="consent"]) button[type="submit"]',
};

// The rules of WCAG 2.0 and 2.1, levels A and AA, as axe-core tags them.
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
// What fails the test; axe's other impacts (moderate, minor) are logged.
const FAILING_IMPACTS = new Set(['serious', 'critical']);
// Pico follows the system's colour scheme, so a page has two looks, each audited; light last, the
// look of the tests' browser contexts, which it is left in.
const COLOR_SCHEMES = ['dark', 'light'];

let axeSource;

/**
 * Audits what `page` shows now with axe-core against WCAG 2.1 A and AA, in the dark and the light
 * colour scheme, and throws when a violation is serious or critical, naming for each its rule,
 * what it asks and the elements that break it; moderate and minor ones are logged. `name` says
 * which view was audited.
 */
export async function checkAccessibility(page, name) {
  // axe runs inside the page. Not as a <script> (page.addScriptTag): an inline script is refused
  // by the console's Content-Security-Policy (script-src 'self'), and chromium logs the refusal as
  // a console error. Nor in a context with bypassCSP: the audit is to see the page under the
  // headers it is served with. page.evaluate runs the source through the DevTools protocol,
  // which the page's CSP does not govern; axe needs no eval of its own. Once per document: a
  // hash route keeps the document, a navigation loads a new one.
  if (!(await page.evaluate(() => typeof window.axe?.run === 'function'))) {
    const file = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    axeSource ??= await readFile(file, 'utf8');
    await page.evaluate(axeSource);
  }
  const failing = [];
  const lesser = [];
  for (const colorScheme of COLOR_SCHEMES) {
    // reduced motion: Pico then changes colours at once, not by a transition axe would see halfway
    await page.emulateMedia({ colorScheme, reducedMotion: 'reduce' });
    const violations = await page.evaluate(
      (tags) =>
        window.axe
          .run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
          .then((results) =>
            results.violations.map(({ id, impact, help, helpUrl, nodes }) => ({
              id,
              impact,
              help,
              helpUrl,
              // each element with why it fails ("Element has insufficient color contrast of …")
              targets: nodes.map((node) =>
                [node.target.join(' '), ...(node.failureSummary ?? '').split('\n').slice(1)]
                  .map((line) => line.trim())
                  .filter(Boolean)
                  .join(': '),
              ),
            })),
          ),
      WCAG_21_AA,
    );
    for (const violation of violations) {
      (FAILING_IMPACTS.has(violation.impact) ? failing : lesser).push({ ...violation, colorScheme });
    }
  }
  await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
  if (lesser.length > 0) {
    console.log(
      `accessibility of ${name}: ${lesser.length} moderate or minor violation(s):\n` +
        lesser.map(describeViolation).join('\n'),
    );
  }
  if (failing.length > 0) {
    throw new Error(
      `accessibility of ${name}: ${failing.length} serious or critical violation(s) of WCAG 2.1 A/AA:\n` +
        failing.map(describeViolation).join('\n'),
    );
  }
}

function describeViolation({ id, impact, help, helpUrl, targets, colorScheme }) {
  return (
    `  - ${id} (${impact}, ${colorScheme} colour scheme): ${help} <${helpUrl}>\n` +
    targets.map((target) => `      ${target}`).join('\n')
  );
}

/**
 * Saves a PNG of the whole page as `<name>.png` into $SCREENSHOTS
 * (app/target/browser-screenshots).
 */
export async function screenshot(page, name) {
  const directory = process.env.SCREENSHOTS ?? DEFAULT_SCREENSHOTS;
  await mkdir(directory, { recursive: true });
  const file = path.join(directory, `${slug(name)}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
