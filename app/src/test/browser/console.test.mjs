// The web console as a person uses it: signing in, a provider and a credential made through the
// forms, the authorization at node-oidc-provider and back, the actions on the credential, its
// timeline as it happens, and the session's limits (CSRF, sign-out), with the keyboard alone too.
// Each view is audited for accessibility (WCAG 2.1 A and AA) as the test sees it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import {
  api,
  checkAccessibility,
  expectAnswer,
  newPage,
  registerSecret,
  screenshot,
  settings,
  signInAtProvider,
} from './support.mjs';

const PROVIDER = 'console-idp';
const CREDENTIAL = 'console-crm';

// the console asks for its session when it opens; nobody is signed in yet
const NOT_SIGNED_IN = { url: /\/console\/session$/, status: 401 };

async function openConsole(t, hash = '') {
  const page = await newPage(t, { expected: [NOT_SIGNED_IN] });
  await page.goto(`${settings().callgateUrl}/console/${hash}`);
  await page.getByRole('heading', { level: 1, name: 'Sign in to the Callgate console' }).waitFor();
  return page;
}

/** Signs in; the console then shows the page its address named (`landing`, its heading). */
async function signIn(page, landing = 'Credentials') {
  await page.getByLabel('Admin API key').fill(settings().adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: landing }).waitFor();
}

/** The text the page's status line shows, once it shows `expected` (case and all). */
async function statusLine(page, expected) {
  // a string would match whatever case ("New event: token.refreshed." for "Refreshed"), and the
  // line matched is the one read, not a new page's
  const line = page
    .locator('#status-line')
    .filter({ hasText: new RegExp(expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) });
  await line.waitFor();
  return line.textContent();
}

const focusedElement = (page) =>
  page.evaluate(() => `${document.activeElement.tagName} ${document.activeElement.textContent.trim()}`);

/** The status of the named credential `name` as Callgate's API answers it now. */
async function apiStatus(name) {
  const answer = await api('GET', `/v1/credentials/${name}/status`);
  assert.equal(answer.status, 200, answer.text);
  return answer.json;
}

const SECONDS = { second: 1, minute: 60, hour: 3600, day: 24 * 3600 };

/**
 * Asserts that `time`, a <time> the console drew, stands for `iso` (what the API gives as `what`)
 * and reads as a time to come, relative to now ("in 58 minutes"), near that instant.
 */
async function assertAhead(time, iso, what) {
  assert.ok(iso, `the API gives ${what}`);
  assert.equal(await time.getAttribute('datetime'), iso, what);
  assert.ok(await time.getAttribute('title'), `${what}: the absolute time is its title`);
  const text = (await time.textContent()).trim();
  const said = /^in (\d+) (second|minute|hour|day)s?$/.exec(text);
  assert.ok(said, `${what} reads '${text}', not a time to come like 'in 5 minutes'`);
  const unit = SECONDS[said[2]];
  const ahead = (Date.parse(iso) - Date.now()) / 1000;
  assert.ok(Math.abs(Number(said[1]) * unit - ahead) <= unit + 5, `${what}: '${text}' for ${iso}`);
}

/**
 * The diagnoses `scope` shows, in order, each as a person reads it: its code, the line with its
 * message, and what to do.
 */
function shownDiagnoses(scope) {
  return scope.locator('.diagnosis').evaluateAll((blocks) =>
    blocks.map((block) => ({
      code: block.querySelector('code')?.textContent,
      says: block.querySelector('p')?.textContent,
      remedy: block.querySelector('.remedy')?.textContent ?? null,
    })),
  );
}

/** The same for the diagnoses of a status the API answered. */
const expectedDiagnoses = (diagnoses) =>
  diagnoses.map((d) => ({
    code: d.code,
    says: `${d.code}${d.predicted ? ' (predicted)' : ''}: ${d.message}`,
    remedy: d.remedy ? `What to do: ${d.remedy}` : null,
  }));

/** The credentials list's row of the named credential `name`, with a cell by its column's title. */
async function listRow(page, name) {
  const table = page.getByRole('region', { name: 'Credentials', exact: true }).locator('table');
  const titles = (await table.locator('thead th').allTextContents()).map((t) => t.trim());
  const row = table.locator('tbody tr', { has: page.getByRole('link', { name, exact: true }) });
  await row.waitFor();
  const cell = (title) => {
    assert.ok(titles.includes(title), `the list has a column ${title}: ${titles}`);
    return row.locator('th, td').nth(titles.indexOf(title));
  };
  return { row, cell };
}

test('consoleWhenAPersonSetsUpAndAuthorizesACredentialThenEveryStepShowsInTheBrowser', async (t) => {
  const { oidcIssuer, oidcClientId, oidcClientSecret, targetUrl } = settings();
  const page = await openConsole(t);
  await screenshot(page, 'console-sign-in');
  await checkAccessibility(page, 'sign-in');
  await signIn(page);
  assert.equal(await focusedElement(page), 'H1 Credentials', 'a new page puts the focus on its heading');

  // a provider through its form
  await page.getByRole('link', { name: 'Providers', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
  await checkAccessibility(page, 'providers');
  await page.getByRole('button', { name: 'New provider' }).click();
  await page.getByRole('heading', { level: 1, name: 'New provider' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill(PROVIDER);
  await page.getByLabel('Issuer', { exact: true }).fill(oidcIssuer);
  await page.getByLabel('Client id').fill(oidcClientId);
  await page.getByLabel('Client secret').fill(oidcClientSecret);
  await page.getByLabel('Scopes').fill('openid offline_access api:read');
  await page.getByLabel('Refresh token lifetime (optional)').fill('PT1H');
  await screenshot(page, 'console-provider-new');
  await checkAccessibility(page, 'new provider form');
  await page.getByRole('button', { name: 'Create provider' }).click();
  await page.getByRole('heading', { level: 1, name: `Provider ${PROVIDER}` }).waitFor();
  await page.getByRole('button', { name: `Check ${PROVIDER}` }).click();
  await page.getByRole('heading', { name: `Check of ${PROVIDER}: ✓ OK` }).waitFor();
  await screenshot(page, 'console-provider');
  await checkAccessibility(page, 'provider with its check');

  // a credential through its form; a bad name first, refused beside its field
  expectAnswer(page, { url: /\/v1\/credentials$/, status: 400 });
  await page.getByRole('link', { name: 'Credentials', exact: true }).click();
  await page.getByRole('button', { name: 'New credential' }).click();
  await page.getByRole('heading', { level: 1, name: 'New credential' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill('1-not-a-name');
  await page.getByLabel('Base URL').fill(targetUrl);
  await page.getByLabel('Protocol').selectOption('oauth2_authorization_code');
  await page.getByLabel('Provider', { exact: true }).selectOption(PROVIDER);
  await page.getByLabel('Test path (optional)').fill('/me');
  await page.getByRole('button', { name: 'Create credential' }).click();
  const nameError = page.locator('#name-error');
  await nameError.waitFor();
  assert.match(await nameError.textContent(), /'1-not-a-name' is not a valid name/);
  assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
  await page.locator('#alerter').filter({ hasText: '1 problem' }).waitFor();
  await screenshot(page, 'console-credential-problem');
  await checkAccessibility(page, 'new credential form with a refused name');
  await page.getByLabel('Name', { exact: true }).fill(CREDENTIAL);
  await page.getByRole('button', { name: 'Create credential' }).click();
  await page.getByRole('heading', { level: 1, name: CREDENTIAL }).waitFor();
  const statusSection = page.locator('section[aria-labelledby="status-title"]');
  const state = statusSection.locator('.state');
  assert.match(await state.textContent(), /UNAUTHORIZED/);
  assert.deepEqual(
    await shownDiagnoses(statusSection),
    expectedDiagnoses((await apiStatus(CREDENTIAL)).diagnoses),
    'never authorized: what Callgate says of it',
  );

  // Authorize: the provider's sign-in, then back on the credential's page
  await page.getByRole('button', { name: 'Authorize', exact: true }).click();
  await signInAtProvider(page, { prefix: 'console-authorize' });
  await page.getByRole('heading', { level: 1, name: CREDENTIAL }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/console/');
  assert.equal(new URL(page.url()).hash, `#/credentials/${CREDENTIAL}`);
  await state.filter({ hasText: 'ACTIVE' }).waitFor();
  const active = await screenshot(page, 'console-credential-active');
  await checkAccessibility(page, 'credential ACTIVE');
  // the first screen of it, as docs/console.png shows the console in the README
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(path.dirname(active), 'console-readme.png') });

  // when the tokens expire and when Callgate refreshes, as times to come, on the credential's page
  // and in its row of the list, the instants Callgate's API gives
  const authorized = await apiStatus(CREDENTIAL);
  assert.equal(authorized.state, 'ACTIVE');
  assert.equal(authorized.hasRefreshToken, true, 'offline_access brings a refresh token');
  const term = (title) =>
    statusSection.locator(`xpath=.//dt[normalize-space()="${title}"]/following-sibling::dd[1]//time`);
  await assertAhead(term('Access token expires'), authorized.accessTokenExpiresAt, 'access token expires');
  await assertAhead(term('Refresh token expires'), authorized.refreshTokenExpiresAt, 'refresh token expires');
  await assertAhead(term('Next refresh'), authorized.nextRefreshAt, 'next refresh');
  assert.deepEqual(await shownDiagnoses(statusSection), expectedDiagnoses(authorized.diagnoses));
  await page.getByRole('link', { name: 'Credentials', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Credentials' }).waitFor();
  const listed = await listRow(page, CREDENTIAL);
  assert.match(await listed.cell('State').textContent(), /ACTIVE/);
  await assertAhead(listed.cell('Access token expires').locator('time'), authorized.accessTokenExpiresAt, 'access token expires, listed');
  await assertAhead(listed.cell('Refresh token expires').locator('time'), authorized.refreshTokenExpiresAt, 'refresh token expires, listed');
  await assertAhead(listed.cell('Next refresh').locator('time'), authorized.nextRefreshAt, 'next refresh, listed');
  assert.deepEqual(await shownDiagnoses(listed.cell('Current diagnosis')), expectedDiagnoses(authorized.diagnoses.slice(0, 1)));
  await screenshot(page, 'console-credentials-active');
  await page.getByRole('link', { name: CREDENTIAL, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: CREDENTIAL }).waitFor();
  await state.filter({ hasText: 'ACTIVE' }).waitFor();

  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByRole('heading', { name: 'Test connection' }).waitFor();
  assert.match(await page.locator('#action-result').textContent(), /✓ OK.*HTTP status200/s);
  await screenshot(page, 'console-credential-tested');

  await page.getByRole('button', { name: 'Refresh now' }).click();
  assert.match(await statusLine(page, 'Refreshed'), /Refreshed: state ACTIVE/);

  // the timeline follows what happens, without a reload
  const refreshed = page.locator('ol.timeline li', { hasText: 'token.refreshed' });
  const before = await refreshed.count();
  const elsewhere = await api('POST', `/v1/credentials/${CREDENTIAL}/refresh`);
  assert.equal(elsewhere.status, 200, elsewhere.text);
  await page.waitForFunction(
    (count) => document.querySelectorAll('ol.timeline li').length > 0 &&
      [...document.querySelectorAll('ol.timeline li')].filter((li) => li.textContent.includes('token.refreshed')).length > count,
    before,
  );
  assert.match(await page.locator('ol.timeline li').first().textContent(), /token\.refreshed|audit\.refresh\.requested/);

  await page.getByRole('button', { name: 'Revoke', exact: true }).click();
  await checkAccessibility(page, 'credential, confirming a revocation');
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await statusLine(page, 'Revoked');
  await state.filter({ hasText: 'REVOKED' }).waitFor();
  await screenshot(page, 'console-credential-revoked');

  // why, and what to do, in the words Callgate's API gives for the credential's status now
  const revoked = await apiStatus(CREDENTIAL);
  assert.equal(revoked.state, 'REVOKED');
  assert.equal(revoked.diagnoses[0]?.code, 'GRANT_REVOKED', JSON.stringify(revoked.diagnoses));
  assert.deepEqual(await shownDiagnoses(statusSection), expectedDiagnoses(revoked.diagnoses));
  await statusSection.locator('.diagnosis .remedy').first().waitFor({ state: 'visible' });

  // a credential with no token to wait on is listed, but not among those that need a person
  const basic = await api('POST', '/v1/credentials', {
    name: 'console-basic',
    url: targetUrl,
    protocol: 'basic',
    username: 'reports',
    password: 'a password',
  });
  assert.equal(basic.status, 201, basic.text);
  await page.getByRole('link', { name: 'Credentials', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Credentials' }).waitFor();
  await page.getByRole('link', { name: 'console-basic', exact: true }).waitFor();
  await checkAccessibility(page, 'credentials');
  await page.getByRole('switch', { name: 'Only those that need a person' }).check();
  await page.locator('#announcer').filter({ hasText: 'those that need a person' }).waitFor();
  await page.getByRole('link', { name: CREDENTIAL, exact: true }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'console-basic', exact: true }).count(), 0);
  // the list says why it needs a person, and what to do
  const waiting = await listRow(page, CREDENTIAL);
  assert.match(await waiting.cell('State').textContent(), /REVOKED/);
  assert.deepEqual(
    await shownDiagnoses(waiting.cell('Current diagnosis')),
    expectedDiagnoses((await apiStatus(CREDENTIAL)).diagnoses.slice(0, 1)),
  );
  await screenshot(page, 'console-credentials');
  await checkAccessibility(page, 'credentials that need a person');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in to the Callgate console' }).waitFor();
  const after = await page.evaluate(async () => (await fetch('/console/session')).status);
  assert.equal(after, 401, 'the session is over on the server too');
});

test('changeWhenSentWithTheCookieButWithoutTheCsrfTokenThenRefused', async (t) => {
  const page = await openConsole(t);
  await signIn(page);
  expectAnswer(page, { url: /\/v1\/providers$/, status: 403 });
  const refused = await page.evaluate(async () => {
    const response = await fetch('/v1/providers', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'forged', issuer: 'https://idp.example', clientId: 'x', clientSecret: 'y' }),
    });
    return { status: response.status, code: (await response.json()).code };
  });
  assert.deepEqual(refused, { status: 403, code: 'CSRF_TOKEN_INVALID' });
});

test('signInWhenUsingTheKeyboardAloneThenTheCredentialsHeadingHasTheFocus', async (t) => {
  const page = await openConsole(t);
  await page.keyboard.press('Tab');
  assert.equal(await focusedElement(page), 'A Skip to content', 'the skip link comes first');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'admin-key');
  await page.keyboard.type(settings().adminKey);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Credentials' }).waitFor();
  assert.equal(await focusedElement(page), 'H1 Credentials');
  assert.equal(await page.evaluate(() => sessionStorage.length + localStorage.length), 0, 'nothing is kept in storage');
  assert.ok(!(await page.evaluate(() => document.cookie)).includes('callgate_console'), 'the script cannot read the session');
});

test('keysAndWebhooksWhenMadeThroughTheFormsThenTheirSecretIsShownOnce', async (t) => {
  const page = await openConsole(t, '#/keys');
  await signIn(page, 'API keys');
  await page.getByLabel('Subject', { exact: true }).fill('console-billing');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = page.getByLabel('The new key');
  await key.waitFor();
  assert.match(await key.inputValue(), /\S{20,}/);
  await registerSecret('an API key the console created', await key.inputValue());
  await page.getByRole('cell', { name: 'console-billing', exact: true }).waitFor();
  await screenshot(page, 'console-keys');
  await checkAccessibility(page, 'API keys with a new key');

  await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
  await page.getByLabel('URL', { exact: true }).fill(`${settings().targetUrl}/hooks`);
  await page.getByLabel('grant.lost').check();
  await page.getByRole('button', { name: 'Create webhook' }).click();
  const secret = page.getByLabel('Signing secret');
  await secret.waitFor();
  assert.match(await secret.inputValue(), /^whsec_/);
  await registerSecret('a webhook signing secret the console showed', await secret.inputValue());
  await checkAccessibility(page, 'webhooks with a new secret');
  await page.getByRole('button', { name: /^Deliveries to / }).first().click();
  await page.getByRole('heading', { name: /^Deliveries to / }).waitFor();
  await screenshot(page, 'console-webhooks');
  await checkAccessibility(page, 'webhook deliveries');
});

test('perUserCredentialWhenAUserConnectsThroughALinkThenTheirTokenHasItsOwnActions', async (t) => {
  const { targetUrl } = settings();
  const credential = 'console-per-user';
  const made = await api('POST', '/v1/credentials', {
    name: credential,
    url: targetUrl,
    protocol: 'oauth2_authorization_code',
    principal: 'per_user',
    provider: PROVIDER,
    testPath: '/me',
  });
  assert.equal(made.status, 201, made.text);

  const page = await openConsole(t, `#/credentials/${credential}`);
  await signIn(page, credential);
  await page.getByText('No user has authorized yet.').waitFor();
  await page.getByLabel('User', { exact: true }).fill('customer-42');
  await page.getByRole('button', { name: 'Create connect link' }).click();
  const link = page.getByRole('textbox', { name: 'The connect link to send' });
  await link.waitFor();
  const url = await link.inputValue();
  assert.match(url, /\/connect\/[A-Za-z0-9_-]{40,}$/);
  await screenshot(page, 'console-connect-link');
  await checkAccessibility(page, 'per-user credential with a connect link');

  // the end user, in a browser of their own
  const user = await newPage(t);
  await user.goto(url);
  await user.getByRole('button', { name: 'Continue to sign in' }).click();
  await signInAtProvider(user, { login: 'alice', prefix: 'console-connect' });
  await user.getByRole('heading', { name: /is authorized/ }).waitFor();

  await page.reload();
  await page.getByRole('heading', { level: 1, name: credential }).waitFor();
  const row = page.getByRole('row', { name: /customer-42/ });
  await row.locator('.state', { hasText: 'ACTIVE' }).waitFor();
  assert.match(await row.textContent(), /alice/, 'the row names who signed in at the provider');
  await screenshot(page, 'console-per-user');
  await checkAccessibility(page, "per-user credential with a user's token");

  await page.getByRole('button', { name: 'Refresh the token of customer-42' }).click();
  await statusLine(page, 'Refreshed the token of customer-42: state ACTIVE');
  await page.getByRole('button', { name: 'Revoke the grant of customer-42' }).click();
  await page.getByRole('button', { name: 'Yes, revoke' }).click();
  await statusLine(page, 'Revoked the grant of customer-42');
  await row.locator('.state', { hasText: 'REVOKED' }).waitFor();

  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByRole('heading', { level: 1, name: 'Credentials' }).waitFor();
  assert.equal(await page.getByRole('link', { name: credential, exact: true }).count(), 0);
});

test('sessionWhenItEndsElsewhereThenTheNextPageAsksToSignInAgainAndSaysWhy', async (t) => {
  const page = await openConsole(t);
  await signIn(page);
  // the session ends on the server (here: its cookie is gone), the page still open
  await page.context().clearCookies();
  expectAnswer(page, { url: /\/v1\/providers$/, status: 401 });
  await page.getByRole('link', { name: 'Providers', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Sign in to the Callgate console' }).waitFor();
  await page.locator('#alerter').filter({ hasText: 'Please sign in again' }).waitFor();
  await checkAccessibility(page, 'sign-in after the session ended');
  await signIn(page, 'Providers');
});

test('actionWhenThePageItLeadsToIsSlowToDrawThenItsResultIsStillShown', async (t) => {
  const { oidcIssuer, oidcClientId, oidcClientSecret } = settings();
  const name = 'console-slow-idp';
  const made = await api('POST', '/v1/providers', {
    name,
    issuer: oidcIssuer,
    clientId: oidcClientId,
    clientSecret: oidcClientSecret,
    scopes: ['openid'],
  });
  assert.equal(made.status, 201, made.text);
  const page = await openConsole(t, `#/providers/${name}`);
  await signIn(page, `Provider ${name}`);
  // the list the deletion leads to answers late, as on a busy machine: the page that says what
  // was done is drawn well after the deletion itself answered
  await page.route(/\/v1\/providers$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.getByRole('button', { name: 'Delete', exact: true }).click();
  await page.getByRole('button', { name: 'Yes, delete' }).click();
  await page.getByRole('heading', { level: 1, name: 'Providers' }).waitFor();
  assert.match(await statusLine(page, 'Deleted provider'), new RegExp(`Deleted provider ${name}`));
});

test('providerFormWhenATemplateIsChosenThenAsksItsParametersAndSavesWhatItFills', async (t) => {
  const name = 'console-entra';
  const page = await openConsole(t, '#/providers/+new');
  await signIn(page, 'New provider');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Template (optional)').selectOption('entra');
  await page.getByLabel('Client id').fill('callgate');
  await page.getByLabel('Client secret').fill('console-entra-secret');
  await page.getByLabel('Access token lifetime (optional)').fill('PT8H');
  await checkAccessibility(page, 'new provider form with a template');
  // the template's parameter, left empty: refused beside its own field
  expectAnswer(page, { url: /\/v1\/providers$/, status: 400 });
  await page.getByRole('button', { name: 'Create provider' }).click();
  const tenantError = page.locator('[id="templateParameters.tenant-error"]');
  await tenantError.waitFor();
  assert.match(await tenantError.textContent(), /template 'entra' needs it/);
  await page.getByLabel('tenant', { exact: true }).fill('contoso.onmicrosoft.com');
  await page.getByRole('button', { name: 'Create provider' }).click();
  await page.getByRole('heading', { level: 1, name: `Provider ${name}` }).waitFor();

  const saved = await api('GET', `/v1/providers/${name}`);
  assert.equal(
    saved.json.tokenEndpoint,
    'https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token',
  );
  assert.equal(saved.json.refreshTokenLifetime, 'PT2160H');
  assert.equal(saved.json.template, 'entra');
  assert.deepEqual(saved.json.templateParameters, { tenant: 'contoso.onmicrosoft.com' });
  assert.equal(saved.json.accessTokenLifetime, 'PT8H');
  // the edit form shows the template and its parameter again
  assert.equal(await page.getByLabel('Template (optional)').inputValue(), 'entra');
  assert.equal(await page.getByLabel('tenant', { exact: true }).inputValue(), 'contoso.onmicrosoft.com');
});

test('consoleWhenAPersonAuthorizesFromAnotherDeviceThenTheCredentialTurnsActive', async (t) => {
  const { oidcIssuer, oidcClientId, oidcClientSecret, targetUrl } = settings();
  const name = 'console-device';
  const provider = await api('POST', '/v1/providers', {
    name: `${name}-idp`,
    issuer: oidcIssuer,
    clientId: oidcClientId,
    clientSecret: oidcClientSecret,
    scopes: ['openid', 'offline_access'],
    refreshTokenLifetime: 'PT1H',
  });
  assert.equal(provider.status, 201, provider.text);
  const created = await api('POST', '/v1/credentials', {
    name,
    url: targetUrl,
    protocol: 'oauth2_authorization_code',
    provider: `${name}-idp`,
  });
  assert.equal(created.status, 201, created.text);
  const page = await openConsole(t, `#/credentials/${name}`);
  await signIn(page, name);

  await page.getByRole('button', { name: 'Authorize from another device' }).click();
  await page.getByRole('heading', { name: 'Authorize from another device' }).waitFor();
  const userCode = await page.locator('#device-user-code').textContent();
  assert.match(userCode, /^[A-Z]{4}-[A-Z]{4}$/);
  const link = page.locator('#device-verification-link');
  const verification = await link.getAttribute('href');
  assert.equal(await link.textContent(), verification, 'the link shows where it goes');
  assert.ok(verification.startsWith(`${oidcIssuer}/device`), verification);
  await screenshot(page, 'console-device-code');
  await checkAccessibility(page, 'device authorization code');

  // the person, on another device: the provider's verification page, then its sign-in
  const phone = await newPage(t);
  await phone.goto(verification);
  await phone.getByRole('heading', { name: 'Confirm Device' }).waitFor();
  assert.match(await phone.locator('code').textContent(), new RegExp(userCode));
  await phone.getByRole('button', { name: 'Continue' }).click();
  await signInAtProvider(phone, { prefix: 'console-device' });
  await phone.getByRole('heading', { name: 'Sign-in Success' }).waitFor();

  assert.match(await statusLine(page, 'Authorized from another device'), /state ACTIVE/);
  await page
    .locator('section[aria-labelledby="status-title"] .state')
    .filter({ hasText: 'ACTIVE' })
    .waitFor();
  await screenshot(page, 'console-device-active');
});
