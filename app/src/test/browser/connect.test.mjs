// Connect links as their end user meets them: the page that says who asks for what, the sign-in
// at node-oidc-provider, the way back to the application; and the refusals a person can run into
// (a link used or expired, a sign-in finished in another browser, a form posted by another site),
// each a page of its own that says what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import {
  api,
  checkAccessibility,
  expectAnswer,
  newPage,
  screenshot,
  settings,
  signInAtProvider,
} from './support.mjs';

const PROVIDER = 'connect-idp';
const CREDENTIAL = 'connect-reports';
const APPLICATION = 'Reports Dashboard';
const SCOPES = ['openid', 'offline_access', 'api:read'];
const CALLBACK = /\/v1\/oauth\/callback/;

/** The provider and the per-user credential the links are for, once per Callgate. */
const prepared = new Map();
function prepare(at = settings().callgateUrl) {
  if (!prepared.has(at)) prepared.set(at, setUp(at));
  return prepared.get(at);
}

async function setUp(at) {
  const { oidcIssuer, oidcClientId, oidcClientSecret, targetUrl } = settings();
  const provider = await api(
    'POST',
    '/v1/providers',
    {
      name: PROVIDER,
      issuer: oidcIssuer,
      clientId: oidcClientId,
      clientSecret: oidcClientSecret,
      scopes: SCOPES,
      refreshTokenLifetime: 'PT1H',
    },
    { at },
  );
  assert.equal(provider.status, 201, provider.text);
  const credential = await api(
    'POST',
    '/v1/credentials',
    {
      name: CREDENTIAL,
      url: targetUrl,
      protocol: 'oauth2_authorization_code',
      principal: 'per_user',
      provider: PROVIDER,
      applicationName: APPLICATION,
      allowedReturnUrls: [`${targetUrl}/connected`],
      testPath: '/me',
    },
    { at },
  );
  assert.equal(credential.status, 201, credential.text);
}

/** A new link for `user` ({url, expiresAt}), made through the admin API. */
async function connectLink(user, { returnUrl, at = settings().callgateUrl } = {}) {
  await prepare(at);
  const body = returnUrl === undefined ? { user } : { user, returnUrl };
  const created = await api('POST', `/v1/credentials/${CREDENTIAL}/connect-links`, body, { at });
  assert.equal(created.status, 201, created.text);
  return created.json;
}

const returnUrl = () => `${settings().targetUrl}/connected`;

async function tokenState(user) {
  const status = await api('GET', `/v1/credentials/${CREDENTIAL}/status?user=${user}`);
  assert.equal(status.status, 200, status.text);
  return status.json.state;
}

/** Asserts that `response` is Callgate's refusal page with `status` and `code`. */
async function assertRefused(page, response, status, code) {
  assert.equal(response.status(), status, `${response.url()} answered ${response.status()}`);
  assert.equal(await response.headerValue('callgate-error'), code);
  await page.getByRole('heading', { level: 1, name: 'This link cannot be used' }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(code));
  return text;
}

/**
 * Keeps `page` from following the provider's redirect back to Callgate once the person consents,
 * and gives that redirect's address (the callback with its code and state). The browser does not
 * let a test stop a redirect half-way, so the consent form's answer and the provider's own
 * redirect after it are fetched here (with the page's cookies) and the page is left where it is.
 */
function holdCallback(page) {
  const { oidcIssuer } = settings();
  return new Promise((resolve, reject) => {
    page
      .route(
        (url) => url.href.startsWith(oidcIssuer),
        async (route) => {
          const request = route.request();
          if (request.method() !== 'POST' || !/(^|&)prompt=consent(&|$)/.test(request.postData() ?? '')) {
            return route.fallback();
          }
          try {
            let location = (await route.fetch({ maxRedirects: 0 })).headers().location;
            while (location && new URL(location, oidcIssuer).href.startsWith(oidcIssuer)) {
              const hop = await page.request.get(new URL(location, oidcIssuer).href, { maxRedirects: 0 });
              location = hop.headers().location;
            }
            assert.match(location ?? '', CALLBACK, 'the provider sends the browser back to Callgate');
            resolve(location);
          } catch (error) {
            reject(error);
          }
          return route.abort('aborted');
        },
      )
      .catch(reject);
  });
}

const continueButton = (page) => page.getByRole('button', { name: 'Continue to sign in' });

test('connectLinkWhenTheEndUserContinuesAndSignsInThenTheyLandOnTheReturnUrlWithAnActiveToken', async (t) => {
  const { targetUrl } = settings();
  const link = await connectLink('user-dora', { returnUrl: returnUrl() });

  const page = await newPage(t);
  const opened = await page.goto(link.url);
  assert.equal(opened.status(), 200);
  // the console's stylesheets load (a refused or missing one fails the test) under a strict policy
  const policy = await opened.headerValue('content-security-policy');
  assert.match(policy, /default-src 'none'/);
  assert.match(policy, /style-src 'self'/);
  assert.equal(await page.locator('link[rel="stylesheet"]').count(), 2);
  await page.getByRole('heading', { level: 1, name: `Connect your account to ${APPLICATION}` }).waitFor();
  const text = await page.locator('main').innerText();
  assert.match(text, new RegExp(`${APPLICATION} asks for access to the API at ${new URL(targetUrl).hostname}`));
  assert.match(text, new RegExp(`credential ${CREDENTIAL}`));
  assert.match(text, /on behalf of user user-dora/);
  assert.match(text, new RegExp(`You will sign in at ${PROVIDER}`));
  const scopes = await page.getByRole('listitem').allInnerTexts();
  assert.deepEqual(scopes.map((scope) => scope.trim()), SCOPES);
  await screenshot(page, 'connect-page');
  await checkAccessibility(page, 'connect-page');

  await continueButton(page).click();
  await signInAtProvider(page, { login: 'dora', prefix: 'connect' });
  await page.waitForURL(returnUrl());
  await page.getByRole('heading', { level: 1, name: 'Your account is connected' }).waitFor();
  await screenshot(page, 'connect-returned');

  assert.equal(await tokenState('user-dora'), 'ACTIVE');
  const status = await api('GET', `/v1/credentials/${CREDENTIAL}/status?user=user-dora`);
  assert.equal(status.json.identity?.sub, 'dora', status.text);
});

test('connectPageWhenItsStylesheetsDoNotLoadThenItStillReadsAndItsButtonWorks', async (t) => {
  const link = await connectLink('user-ivan');
  const page = await newPage(t);
  await page.route(/\.css$/, (route) => route.abort('aborted'));
  await page.goto(link.url);
  await page.getByRole('heading', { level: 1, name: `Connect your account to ${APPLICATION}` }).waitFor();
  assert.match(await page.locator('main').innerText(), /on behalf of user user-ivan/);
  await screenshot(page, 'connect-page-unstyled');
  await continueButton(page).click();
  await page.waitForURL((url) => url.href.startsWith(settings().oidcIssuer));
});

test('connectLinkWhenUsedThenOpeningItOrPressingItsButtonAgainShowsTheUsedPage', async (t) => {
  const link = await connectLink('user-erin', { returnUrl: returnUrl() });
  const page = await newPage(t, { expected: [{ url: /\/connect\//, status: 410 }] });
  await page.goto(link.url);
  // the page stays open while the sign-in goes on in a tab of its own (a shift-click does that)
  await page.evaluate(() => {
    document.querySelector('form').target = '_blank';
  });
  const [signIn] = await Promise.all([page.context().waitForEvent('page'), continueButton(page).click()]);
  await signIn.waitForURL((url) => url.href.startsWith(settings().oidcIssuer));

  const [pressed, again] = await Promise.all([
    page.context().waitForEvent('response', (r) => r.url() === link.url && r.request().method() === 'POST'),
    page.context().waitForEvent('page'),
    continueButton(page).click(),
  ]);
  assert.equal(pressed.status(), 410);
  assert.equal(await pressed.headerValue('callgate-error'), 'CONNECT_LINK_USED');
  await again.getByRole('heading', { level: 1, name: 'This link cannot be used' }).waitFor();
  assert.match(await again.locator('main').innerText(), /already used/);

  const reopened = await page.goto(link.url);
  const text = await assertRefused(page, reopened, 410, 'CONNECT_LINK_USED');
  assert.match(text, /This connect link was already used at .*; a link works once\./);
  assert.match(text, /ask whoever sent you the link for a new one/);
  assert.equal(await continueButton(page).count(), 0, 'a used link offers no button');
  await screenshot(page, 'connect-used');
  await checkAccessibility(page, 'connect-used');
});

test('connectLinkWhenUnknownThenTheNotFoundPageSaysToAskForANewOne', async (t) => {
  const page = await newPage(t, { expected: [{ url: /\/connect\//, status: 404 }] });
  const response = await page.goto(`${settings().callgateUrl}/connect/no-such-link-0123456789abcdef`);
  const text = await assertRefused(page, response, 404, 'CONNECT_LINK_UNKNOWN');
  assert.match(text, /ask whoever sent you the link for a new one/i);
  await screenshot(page, 'connect-unknown');
});

test('connectLinkWhenItsLifetimeHasPassedThenOpeningOrPressingShowsTheExpiredPage', async (t) => {
  const at = settings().shortLinksUrl;
  const opened = await connectLink('user-finn', { at });
  const unopened = await connectLink('user-finn', { at });
  const page = await newPage(t, { expected: [{ url: /\/connect\//, status: 410 }] });
  assert.equal((await page.goto(opened.url)).status(), 200);

  const expiresAt = Math.max(Date.parse(opened.expiresAt), Date.parse(unopened.expiresAt));
  await new Promise((resolve) => setTimeout(resolve, expiresAt - Date.now() + 500));

  // the page was left open past the link's lifetime, then its button pressed
  const [pressed] = await Promise.all([
    page.waitForResponse((r) => r.url() === opened.url && r.request().method() === 'POST'),
    continueButton(page).click(),
  ]);
  await assertRefused(page, pressed, 410, 'CONNECT_LINK_EXPIRED');
  await screenshot(page, 'connect-expired-pressed');

  const response = await page.goto(unopened.url);
  const text = await assertRefused(page, response, 410, 'CONNECT_LINK_EXPIRED');
  assert.match(text, /This connect link expired at /);
  assert.match(text, /Ask whoever sent you the link for a new one, and open it within PT2S/);
  await screenshot(page, 'connect-expired');
  await checkAccessibility(page, 'connect-expired');
});

test('connectLinkWhenTheProvidersRedirectIsOpenedInAnotherBrowserThenRefusedThereAndNoToken', async (t) => {
  const link = await connectLink('user-gina', { returnUrl: returnUrl() });
  const first = await newPage(t);
  const held = holdCallback(first);
  await first.goto(link.url);
  await continueButton(first).click();
  await signInAtProvider(first, { login: 'gina', prefix: 'connect-other-browser' });
  const callback = await held;
  assert.match(new URL(callback).search, /code=/);

  const other = await newPage(t, { expected: [{ url: CALLBACK, status: 403 }] });
  const response = await other.goto(callback);
  assert.equal(response.status(), 403);
  assert.equal(await response.headerValue('callgate-error'), 'AUTHORIZATION_BROWSER_MISMATCH');
  const text = await other.locator('main').innerText();
  assert.match(text, /came from a browser that did not start the flow/);
  await screenshot(other, 'connect-other-browser');
  await checkAccessibility(other, 'connect-other-browser');
  assert.notEqual(await tokenState('user-gina'), 'ACTIVE', 'the other browser got no token');

  // trying again later does not finish it either
  const retried = await other.goto(callback);
  assert.equal(retried.status(), 403);
  assert.notEqual(await tokenState('user-gina'), 'ACTIVE');

  // the flow is still the first browser's: there it completes
  await first.goto(callback);
  await first.waitForURL(returnUrl());
  assert.equal(await tokenState('user-gina'), 'ACTIVE');
});

test('connectLinkWhenAnotherSitePostsItsFormThenRefusedAndTheLinkStillWorksForItsUser', async (t) => {
  const link = await connectLink('user-hana');
  const page = await newPage(t);
  await page.goto(link.url);
  // even the page's own confirmation value does not help another site: the cookie is not sent
  const confirm = await page.locator('input[name="confirm"]').inputValue();

  // a made-up other site (another host name: 127.0.0.1 on another port would be the same site)
  const attacker = 'http://attacker.invalid/prize';
  await page.route(attacker, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body:
        '<!doctype html><html lang="en"><title>You won</title><body>' +
        `<form method="post" action="${link.url}"><input type="hidden" name="confirm" value="${confirm}"></form>` +
        '<script>document.forms[0].submit()</script></body></html>',
    }),
  );
  expectAnswer(page, { url: link.url, status: 403 });
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url() === link.url && r.request().method() === 'POST'),
    page.goto(attacker),
  ]);
  const text = await assertRefused(page, refused, 403, 'CSRF_TOKEN_INVALID');
  assert.match(text, /did not come from the connect page Callgate showed in this browser/);
  assert.match(text, /Open the link itself/);
  await screenshot(page, 'connect-cross-site');

  // the link is not spent: its user opens it and connects
  assert.equal((await page.goto(link.url)).status(), 200);
  await continueButton(page).click();
  await signInAtProvider(page, { login: 'hana', prefix: 'connect-cross-site' });
  await page.getByRole('heading', { name: `Credential '${CREDENTIAL}' is authorized` }).waitFor();
  await screenshot(page, 'connect-authorized');
  await checkAccessibility(page, 'connect-authorized');
  assert.equal(await tokenState('user-hana'), 'ACTIVE');
});
