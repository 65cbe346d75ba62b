// A credential and a provider named "new" open like any other: the console's forms for new ones live at
// #/credentials/+new and #/providers/+new, addresses no name can take ('+' is not allowed in one).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { api, newPage, settings } from './support.mjs';

test('consoleWhenACredentialAndAProviderAreNamedNewThenTheirPagesOpenAndTheNewFormsStillDo', async (t) => {
  const { oidcIssuer, oidcClientId, oidcClientSecret, targetUrl, callgateUrl, adminKey } = settings();
  const provider = await api('POST', '/v1/providers', {
    name: 'new', issuer: oidcIssuer, clientId: oidcClientId, clientSecret: oidcClientSecret, scopes: ['openid'],
  });
  assert.equal(provider.status, 201, provider.text);
  const credential = await api('POST', '/v1/credentials', { name: 'new', url: targetUrl, protocol: 'none' });
  assert.equal(credential.status, 201, credential.text);

  const page = await newPage(t, { expected: [{ url: /\/console\/session$/, status: 401 }] });
  await page.goto(`${callgateUrl}/console/#/credentials/new`);
  await page.getByLabel('Admin API key').fill(adminKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'new', exact: true }).waitFor();
  assert.equal(await page.getByLabel('Base URL').inputValue(), targetUrl);

  await page.goto(`${callgateUrl}/console/#/providers/new`);
  await page.getByRole('heading', { level: 1, name: 'Provider new', exact: true }).waitFor();
  assert.equal(await page.getByLabel('Client id').inputValue(), oidcClientId);

  await page.goto(`${callgateUrl}/console/#/credentials`);
  await page.getByRole('button', { name: 'New credential' }).click();
  await page.getByRole('heading', { level: 1, name: 'New credential' }).waitFor();
  assert.match(page.url(), /#\/credentials\/\+new$/);
  await page.goto(`${callgateUrl}/console/#/providers`);
  await page.getByRole('button', { name: 'New provider' }).click();
  await page.getByRole('heading', { level: 1, name: 'New provider' }).waitFor();
  assert.match(page.url(), /#\/providers\/\+new$/);

  assert.equal((await api('DELETE', '/v1/credentials/new')).status, 204);
  assert.equal((await api('DELETE', '/v1/providers/new')).status, 204);
});
