// A credential's refreshOn rules through the console's form: typed as JSON, a bad rule refused
// beside the field with the API's message, a good one saved and shown again when editing.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { api, checkAccessibility, expectAnswer, newPage, settings } from './support.mjs';

const PROVIDER = 'rules-idp';
const CREDENTIAL = 'rules-soap';
const RULES = [{ status: ['500'], bodyPattern: '<faultcode>sf:INVALID_SESSION_ID</faultcode>' }];

test('credentialFormWhenRefreshOnIsTypedThenABadRuleIsRefusedBesideItAndAGoodOneSaved', async (t) => {
  const { oidcIssuer, oidcClientId, oidcClientSecret, targetUrl, callgateUrl, adminKey } = settings();
  const provider = await api('POST', '/v1/providers', {
    name: PROVIDER,
    issuer: oidcIssuer,
    clientId: oidcClientId,
    clientSecret: oidcClientSecret,
    scopes: ['openid', 'offline_access'],
  });
  assert.equal(provider.status, 201, provider.text);

  const page = await newPage(t, { expected: [{ url: /\/console\/session$/, status: 401 }] });
  await page.goto(`${callgateUrl}/console/#/credentials/+new`);
  await page.getByLabel('Admin API key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'New credential' }).waitFor();
  await page.getByLabel('Name', { exact: true }).fill(CREDENTIAL);
  await page.getByLabel('Base URL').fill(targetUrl);
  await page.getByLabel('Protocol').selectOption('oauth2_authorization_code');
  await page.getByLabel('Provider', { exact: true }).selectOption(PROVIDER);

  expectAnswer(page, { url: /\/v1\/credentials$/, status: 400 });
  await page.getByLabel('Refresh on (optional)').fill('[{"status": [500], "bodyPattern": "(unclosed"}]');
  await page.getByRole('button', { name: 'Create credential' }).click();
  const error = page.locator('#refreshOn-error');
  await error.waitFor();
  assert.match(await error.textContent(), /refreshOn\[0\]\.bodyPattern is invalid: it is not a Java regular expression/);
  assert.equal(await page.getByLabel('Refresh on (optional)').getAttribute('aria-invalid'), 'true');
  await checkAccessibility(page, 'new credential form with a refused refreshOn rule');

  await page.getByLabel('Refresh on (optional)').fill(JSON.stringify(RULES));
  await page.getByRole('button', { name: 'Create credential' }).click();
  await page.getByRole('heading', { level: 1, name: CREDENTIAL }).waitFor();
  const saved = await api('GET', `/v1/credentials/${CREDENTIAL}`);
  assert.deepEqual(saved.json.refreshOn, RULES);
  assert.deepEqual(JSON.parse(await page.getByLabel('Refresh on (optional)').inputValue()), RULES);
});
