// The authorization flow as a person does it: Callgate's authorization URL in a real browser,
// node-oidc-provider's own login and consent pages, back to Callgate's page that says so.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { api, newPage, screenshot, settings, signInAtProvider } from './support.mjs';

const PROVIDER = 'browser-idp';
const CREDENTIAL = 'browser-authorize';

test('authorizeWhenThePersonSignsInAtTheProviderThenTheCredentialWorks', async (t) => {
  const { oidcIssuer, oidcClientId, oidcClientSecret, targetUrl } = settings();
  const provider = await api('POST', '/v1/providers', {
    name: PROVIDER,
    issuer: oidcIssuer,
    clientId: oidcClientId,
    clientSecret: oidcClientSecret,
    scopes: ['openid', 'offline_access', 'api:read'],
    // the provider's refresh tokens live an hour (BrowserTest starts it so)
    refreshTokenLifetime: 'PT1H',
  });
  assert.equal(provider.status, 201, provider.text);
  const credential = await api('POST', '/v1/credentials', {
    name: CREDENTIAL,
    url: targetUrl,
    protocol: 'oauth2_authorization_code',
    provider: PROVIDER,
    testPath: '/me',
  });
  assert.equal(credential.status, 201, credential.text);
  const started = await api('POST', `/v1/credentials/${CREDENTIAL}/authorizations`);
  assert.equal(started.status, 201, started.text);

  const page = await newPage(t);
  await page.goto(started.json.authorizationUrl);
  await signInAtProvider(page, { prefix: 'authorize' });
  const heading = page.getByRole('heading', { name: `Credential '${CREDENTIAL}' is authorized` });
  await heading.waitFor();
  await page.getByText('signed in at the provider as alice').waitFor();
  assert.equal(new URL(page.url()).origin, new URL(settings().callgateUrl).origin);
  await screenshot(page, 'authorize-callgate-authorized');

  const status = await api('GET', `/v1/credentials/${CREDENTIAL}/status`);
  assert.equal(status.status, 200, status.text);
  assert.equal(status.json.state, 'ACTIVE', status.text);
  const tested = await api('POST', `/v1/credentials/${CREDENTIAL}/test`);
  assert.equal(tested.status, 200, tested.text);
  assert.equal(tested.json.ok, true, tested.text);
});
