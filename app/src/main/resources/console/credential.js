// One credential: its status and actions, its per-user tokens, connect links, its configuration
// (create and edit) and its timeline, live.

import { h, replace, page, when, announce, alarm, diagnosis, field, confirmStep, table, showOnce } from './dom.js';
import * as api from './api.js';
import { problemSummary, text, list, checked, compact, refusal, onSubmit } from './forms.js';
import { statusBlock, stateBadge, identity, currentDiagnosis } from './status.js';
import { TOKEN_PROTOCOLS } from './states.js';
import { timeline } from './timeline.js';

const PROTOCOLS = [
  ['oauth2_authorization_code', 'OAuth 2.0 authorization code (a person signs in at the provider)'],
  ['oauth2_client_credentials', 'OAuth 2.0 client credentials (the client is the principal)'],
  ['oauth2_jwt_bearer', 'OAuth 2.0 JWT bearer (RFC 7523: Callgate signs an assertion)'],
  ['oauth2_token_exchange', 'OAuth 2.0 token exchange (RFC 8693: a subject token traded for the API’s)'],
  ['basic', 'HTTP Basic (user name and password)'],
  ['api_key', 'API key in a header'],
  ['none', 'None (Callgate adds no authentication)'],
  ['aws_sigv4', 'AWS Signature Version 4 (access keys, optionally an assumed role)'],
];

export async function credential(container, ctx, name) {
  const [configured, providers, fleet] = await Promise.all([
    name ? api.get(`/v1/credentials/${api.seg(name)}`) : Promise.resolve(null),
    api.get('/v1/providers'),
    name ? api.get('/v1/status') : Promise.resolve({ credentials: [] }),
  ]);
  if (ctx.stale()) return;
  const status = fleet.credentials.find((c) => c.name === name) || { tokens: [] };

  if (!configured) {
    replace(
      container,
      ...page(
        'New credential',
        h('p', {}, h('a', { href: '#/credentials' }, 'Back to the credentials')),
        configurationForm(ctx, null, providers),
      ),
    );
    return;
  }

  const perUser = configured.principal === 'per_user';
  const usesTokens = TOKEN_PROTOCOLS.has(configured.protocol);
  const result = h('div', { class: 'action-result', id: 'action-result' });
  const sections = [
    h('p', {}, h('a', { href: '#/credentials' }, 'Back to the credentials')),
    h('p', {}, h('code', {}, configured.protocol), ', ', h('code', {}, configured.principal), ', calls ', h('code', {}, configured.url)),
    h('section', { 'aria-labelledby': 'actions-title' }, h('h2', { id: 'actions-title' }, 'Actions'), actions(ctx, configured, result), result),
  ];
  if (usesTokens && !perUser) {
    const named = status.tokens[0];
    sections.push(
      h('section', { 'aria-labelledby': 'status-title' },
        h('h2', { id: 'status-title' }, 'Status'),
        named
          ? statusBlock(named, configured.protocol)
          : h('p', {}, configured.protocol === 'oauth2_authorization_code'
            ? 'No token yet: authorize the credential.'
            : 'No token yet: Callgate fetches one at the first callout, or now with Refresh now.')),
    );
  }
  if (perUser) {
    sections.push(userTokens(ctx, configured, status.tokens, result));
    if (configured.protocol === 'oauth2_authorization_code') sections.push(connectLinks(configured));
  }
  sections.push(
    h('section', { 'aria-labelledby': 'configuration-title' },
      h('h2', { id: 'configuration-title' }, 'Configuration'),
      configurationForm(ctx, configured, providers)),
  );
  const events = h('section', { 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Timeline'));
  sections.push(events);
  replace(container, ...page(configured.name, ...sections));
  await timeline(events, ctx, configured.name);
}

/** Authorize, test, refresh, revoke, delete: each says what it did in the result block. */
function actions(ctx, configured, result) {
  const name = configured.name;
  const path = `/v1/credentials/${api.seg(name)}`;
  const buttons = [];
  const button = (label, handler, extra = {}) => {
    const b = h('button', { type: 'button', ...extra }, label);
    b.addEventListener('click', async () => {
      b.disabled = true;
      try {
        await handler(b);
      } catch (failure) {
        refusal(result, failure, label);
      } finally {
        b.disabled = false;
      }
    });
    buttons.push(b);
    return b;
  };
  if (configured.protocol === 'oauth2_authorization_code') {
    button('Authorize', async () => {
      const started = await api.post(`${path}/authorizations`, { returnUrl: `/console/#/credentials/${api.seg(name)}` });
      announce('Opening the provider’s sign-in page.');
      location.assign(started.authorizationUrl);
    });
    if (configured.principal !== 'per_user') {
      button('Authorize from another device', async () => {
        const device = await api.post(`${path}/authorizations`, { flow: 'device' });
        showDeviceCode(result, device);
        announce(`Enter the code ${device.userCode} at ${device.verificationUri} on another device.`);
        await awaitDeviceAuthorization(ctx, path, device);
      }, { class: 'secondary' });
    }
  }
  button('Test connection', async () => {
    const report = await api.post(`${path}/test`);
    replace(
      result,
      h('h3', {}, 'Test connection'),
      h('dl', { class: 'status' },
        h('dt', {}, 'Result'), h('dd', {}, h('strong', {}, report.ok ? '✓ OK' : '✗ Failed')),
        h('dt', {}, 'Path'), h('dd', {}, report.path || '—'),
        h('dt', {}, 'HTTP status'), h('dd', {}, report.status === undefined ? 'no answer' : String(report.status)),
        h('dt', {}, 'Latency'), h('dd', {}, `${report.latencyMs} ms`),
        report.refreshed ? [h('dt', {}, 'Refreshed'), h('dd', {}, 'yes, the token was refreshed on the way')] : null),
      report.diagnosis ? diagnosis(report.diagnosis) : null,
    );
    const said = `Test connection ${report.ok ? 'OK' : 'failed'}: status ${report.status ?? 'none'}, ${report.latencyMs} ms.` +
      (report.diagnosis ? ` ${report.diagnosis.code}: ${report.diagnosis.message}` : '');
    report.ok ? announce(said) : alarm(said);
  });
  if (TOKEN_PROTOCOLS.has(configured.protocol) && configured.principal !== 'per_user') {
    button('Refresh now', async () => {
      const answer = await api.post(`${path}/refresh`);
      await reloadKeepingMessage(ctx, `Refreshed: state ${answer.state}.`);
    });
    button('Revoke', (b) =>
      confirmStep(result, `Revoke the grant of ${name} at the provider? Callgate stops using it until someone authorizes again.`, 'Revoke', async () => {
        try {
          const answer = await api.post(`${path}/revoke`);
          await reloadKeepingMessage(ctx, `Revoked: state ${answer && answer.state ? answer.state : 'REVOKED'}.`);
        } catch (failure) {
          refusal(result, failure, 'Revoke');
        }
      }), { class: 'secondary' });
  }
  button('Delete', () =>
    confirmStep(result, `Delete the credential ${name}? Its grants are revoked at the provider first.`, 'Delete', async () => {
      try {
        const answer = await api.del(path);
        const left = answer && answer.grantsThatMayLiveOn && answer.grantsThatMayLiveOn.length;
        await ctx.go('#/credentials');
        announce(left ? `Deleted ${name}; ${left} grants may live on at the provider.` : `Deleted ${name}.`);
      } catch (failure) {
        refusal(result, failure, 'Delete');
      }
    }), { class: 'secondary outline' });
  return h('div', { class: 'actions' }, buttons);
}

/** What the person needs on their other device (RFC 8628): the user code and where to enter it. */
function showDeviceCode(result, device) {
  replace(
    result,
    h('h3', {}, 'Authorize from another device'),
    h('p', {}, 'On a phone or another computer, open ',
      h('a', { href: device.verificationUri, target: '_blank', rel: 'noopener noreferrer' }, device.verificationUri),
      ' and enter this code:'),
    h('p', { class: 'user-code' }, h('strong', { id: 'device-user-code' }, device.userCode)),
    device.verificationUriComplete
      ? h('p', {}, 'Or open ',
        h('a', { href: device.verificationUriComplete, target: '_blank', rel: 'noopener noreferrer', id: 'device-verification-link' },
          device.verificationUriComplete),
        ', which carries the code.')
      : null,
    h('p', {}, 'The code expires ', when(device.expiresAt), '. This page updates once the authorization is done.'),
  );
}

/** Reads the status until Callgate no longer polls for this code, then draws the page again. */
async function awaitDeviceAuthorization(ctx, path, device) {
  while (!ctx.stale()) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    if (ctx.stale()) return;
    const status = await api.get(`${path}/status`);
    if (status.deviceAuthorization && status.deviceAuthorization.userCode === device.userCode) continue;
    const first = (status.diagnoses || [])[0];
    await reloadKeepingMessage(ctx, status.state === 'ACTIVE'
      ? `Authorized from another device: state ${status.state}.`
      : `The device authorization ended: ${first ? `${first.code}: ${first.message}` : status.state}.`);
    return;
  }
}

async function reloadKeepingMessage(ctx, message) {
  // the page is drawn again with the new status; the focus stays on the page's heading
  await ctx.go(location.hash);
  announce(message);
}

/** A per-user credential's tokens, one row per user, each with its own refresh and revoke. */
function userTokens(ctx, configured, tokens, result) {
  const path = `/v1/credentials/${api.seg(configured.name)}`;
  const rows = tokens.map((t) => {
    const who = `?user=${api.seg(t.user)}`;
    const refresh = h('button', { type: 'button', class: 'secondary', 'aria-label': `Refresh the token of ${t.user}` }, 'Refresh');
    refresh.addEventListener('click', async () => {
      try {
        const answer = await api.post(`${path}/refresh${who}`);
        await reloadKeepingMessage(ctx, `Refreshed the token of ${t.user}: state ${answer.state}.`);
      } catch (failure) {
        refusal(result, failure, `Refresh of ${t.user}`);
      }
    });
    const revoke = h('button', { type: 'button', class: 'secondary outline', 'aria-label': `Revoke the grant of ${t.user}` }, 'Revoke');
    revoke.addEventListener('click', () =>
      confirmStep(result, `Revoke the grant of ${t.user} at the provider?`, 'Revoke', async () => {
        try {
          await api.post(`${path}/revoke${who}`);
          await reloadKeepingMessage(ctx, `Revoked the grant of ${t.user}.`);
        } catch (failure) {
          refusal(result, failure, `Revoke of ${t.user}`);
        }
      }));
    return h('tr', {},
      h('th', { scope: 'row' }, t.user),
      h('td', {}, identity(t)),
      h('td', {}, stateBadge(t, configured.protocol)),
      h('td', {}, when(t.accessTokenExpiresAt)),
      h('td', {}, t.hasRefreshToken ? when(t.refreshTokenExpiresAt, 'not known') : 'no refresh token'),
      h('td', {}, when(t.nextRefreshAt)),
      h('td', {}, currentDiagnosis(t)),
      h('td', {}, h('div', { class: 'row-actions' }, refresh, revoke)));
  });
  return h('section', { 'aria-labelledby': 'users-title' },
    h('h2', { id: 'users-title' }, 'Users’ tokens'),
    rows.length === 0
      ? h('p', {}, 'No user has authorized yet. Send a user a connect link, or let a caller authorize with its own key.')
      : table(`Tokens of ${configured.name}, one per user: ${rows.length}`,
          ['User', 'Provider identity', 'State', 'Access token expires', 'Refresh token expires', 'Next refresh', 'Current diagnosis', 'Actions'], rows));
}

/** A single-use link through which an end user authorizes this credential for themselves. */
function connectLinks(configured) {
  const summary = problemSummary();
  const form = h('form', { 'aria-labelledby': 'links-title', novalidate: true },
    summary,
    field({ name: 'user', label: 'User', hint: 'The subject the token will belong to: the subject of the API key that user’s application calls with.', input: h('input', { type: 'text', required: true, autocomplete: 'off' }) }),
    field({ name: 'returnUrl', label: 'Return URL (optional)', hint: 'Where the user’s browser goes after authorizing; it must be on the credential’s allowed return URLs.', input: h('input', { type: 'url', autocomplete: 'off' }) }),
    h('button', { type: 'submit' }, 'Create connect link'));
  const output = h('div', { class: 'action-result' });
  onSubmit(form, async () => {
    const link = await api.post(`/v1/credentials/${api.seg(configured.name)}/connect-links`, compact({ user: text(form, 'user'), returnUrl: text(form, 'returnUrl') }));
    showOnce(output, {
      id: 'connect-link-url',
      label: 'The connect link to send',
      value: link.url,
      hint: `Send it to the user: it works once, until ${new Date(link.expiresAt).toLocaleString()}.`,
      said: `Connect link created; it works once and expires ${new Date(link.expiresAt).toLocaleString()}. It is selected: copy it.`,
    });
  });
  return h('section', { 'aria-labelledby': 'links-title' }, h('h2', { id: 'links-title' }, 'Connect link'),
    h('p', {}, 'A single-use page through which a user authorizes this credential for themselves, without an API key.'), form, output);
}

/** The credential's fields, each with what it means; secrets are never shown, only replaced. */
/**
 * refreshOn as typed: the JSON rules, none when blank (so saving clears them), or else the text
 * itself, which the API refuses with a message beside the field.
 */
function rules(typed) {
  if (typed === undefined) return [];
  try {
    return JSON.parse(typed);
  } catch {
    return typed;
  }
}

function configurationForm(ctx, configured, providers) {
  const c = configured || {};
  const editing = Boolean(configured);
  const summary = problemSummary();
  const input = (attributes) => h('input', { type: 'text', autocomplete: 'off', ...attributes });
  const secret = (has) => h('input', { type: 'password', autocomplete: 'new-password', placeholder: has ? 'stored; type it again to save' : '' });
  const checkbox = (name, label, hint, value) =>
    h('div', { class: 'field', 'data-field': name },
      h('label', { for: `field-${name}` }, h('input', { type: 'checkbox', id: `field-${name}`, name, checked: value, 'aria-describedby': `${name}-hint ${name}-error` }), label),
      h('small', { id: `${name}-hint` }, hint),
      h('small', { id: `${name}-error`, class: 'field-error', hidden: true }));
  const select = (options, value) =>
    h('select', {}, options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)));

  const protocol = select(PROTOCOLS, c.protocol || 'oauth2_authorization_code');
  const providerOptions = [['', providers.length ? '— choose a provider —' : '— no provider yet —'], ...providers.map((p) => [p.name, p.name])];
  const secretNote = editing ? ' Callgate never shows it: give it again whenever you save.' : '';

  const groups = {
    tokens: h('div', { 'data-protocols': 'oauth2_authorization_code oauth2_client_credentials oauth2_jwt_bearer oauth2_token_exchange' },
      field({ name: 'provider', label: 'Provider', hint: 'The auth provider that issues the tokens.', input: select(providerOptions, c.provider || '') }),
      field({ name: 'tokenPlacement', label: 'Token placement', hint: 'Where the access token goes: Authorization: Bearer, a header of the API’s own (with an optional prefix), or a query parameter.', input: select([['bearer', 'Authorization: Bearer'], ['header', 'Another header'], ['query', 'A query parameter']], placementOf(c.tokenPlacement)) }),
      field({ name: 'tokenPlacementName', label: 'Header or parameter name', hint: 'For a header, e.g. X-Auth-Token; for a query parameter, e.g. access_token.', input: input({ value: placementOf(c.tokenPlacement) === 'bearer' ? '' : c.tokenPlacement.name }) }),
      field({ name: 'tokenPlacementPrefix', label: 'Prefix (optional)', hint: 'For a header: written before the token as typed, spaces included, e.g. "Token ".', input: input({ value: placementOf(c.tokenPlacement) === 'header' ? c.tokenPlacement.prefix : '' }) }),
      providers.length ? null : h('p', {}, h('a', { href: '#/providers/+new' }, 'Create a provider first')),
      field({ name: 'refreshOn', label: 'Refresh on (optional)', hint: 'Answers besides a 401 that mean a stale token, as JSON: each brings one refresh and one retry, e.g. [{"status": [500], "bodyPattern": "<faultcode>sf:INVALID_SESSION_ID</faultcode>"}]; a bodyPattern is only checked on answers of at most 16 KiB.', input: h('textarea', { rows: '3', autocomplete: 'off', spellcheck: 'false', placeholder: '[]' }, c.refreshOn && c.refreshOn.length ? JSON.stringify(c.refreshOn) : '') })),
    basic: h('fieldset', { 'data-protocols': 'basic' }, h('legend', {}, 'HTTP Basic'),
      field({ name: 'username', label: 'User name', hint: 'Sent in the Authorization header (no ":" allowed, RFC 7617).', input: input({ value: c.username }) }),
      field({ name: 'password', label: 'Password', hint: `Stored encrypted.${secretNote}`, input: secret(c.hasPassword) })),
    apiKey: h('fieldset', { 'data-protocols': 'api_key' }, h('legend', {}, 'API key'),
      field({ name: 'apiKeyHeader', label: 'Header', hint: 'The header the key is sent in; X-API-Key when empty.', input: input({ value: c.apiKeyHeader, placeholder: 'X-API-Key' }) }),
      field({ name: 'apiKey', label: 'API key', hint: `Stored encrypted.${secretNote}`, input: secret(c.hasApiKey) })),
    jwt: h('fieldset', { 'data-protocols': 'oauth2_jwt_bearer' }, h('legend', {}, 'JWT bearer assertion'),
      field({ name: 'jwtIssuer', label: 'Issuer (iss)', hint: 'Who signs the assertion, as the provider knows it.', input: input({ value: c.jwtIssuer }) }),
      field({ name: 'jwtSubject', label: 'Subject (sub)', hint: 'Whose token it is; required for a named principal, the caller for per_user.', input: input({ value: c.jwtSubject }) }),
      field({ name: 'jwtAudience', label: 'Audience (aud, optional)', hint: 'The provider’s token endpoint when empty.', input: input({ value: c.jwtAudience }) }),
      field({ name: 'jwtSigningKey', label: 'Signing key', hint: `The RSA private key (PEM) that signs the assertion; stored encrypted.${secretNote}`, input: h('textarea', { rows: '4', autocomplete: 'off', spellcheck: 'false', placeholder: c.hasJwtSigningKey ? 'stored; paste it again to save' : '-----BEGIN PRIVATE KEY-----' }) })),
    aws: h('fieldset', { 'data-protocols': 'aws_sigv4' }, h('legend', {}, 'AWS Signature Version 4'),
      field({ name: 'awsAccessKeyId', label: 'Access key id', hint: 'The key every callout is signed with (or, with a role, the key that assumes it).', input: input({ value: c.awsAccessKeyId, placeholder: 'AKIA…' }) }),
      field({ name: 'awsSecretAccessKey', label: 'Secret access key', hint: `Stored encrypted.${secretNote}`, input: secret(c.hasAwsSecretAccessKey) }),
      field({ name: 'awsSessionToken', label: 'Session token (optional)', hint: `Only for temporary keys; sent as X-Amz-Security-Token. Stored encrypted.${secretNote}`, input: secret(c.hasAwsSessionToken) }),
      field({ name: 'awsRegion', label: 'Region', hint: 'The region the signature is scoped to.', input: input({ value: c.awsRegion, placeholder: 'eu-west-1' }) }),
      field({ name: 'awsService', label: 'Service', hint: 'The service’s signing name: s3, execute-api, es, sqs…', input: input({ value: c.awsService, placeholder: 's3' }) }),
      field({ name: 'awsRoleArn', label: 'Role ARN (optional)', hint: 'A role to assume with STS: callouts are then signed with its temporary keys, renewed before they expire.', input: input({ value: c.awsRoleArn, placeholder: 'arn:aws:iam::123456789012:role/name' }) }),
      field({ name: 'awsRoleSessionName', label: 'Role session name (optional)', hint: 'callgate when empty.', input: input({ value: c.awsRoleSessionName }) }),
      field({ name: 'awsExternalId', label: 'External id (optional)', hint: 'When the role’s trust policy demands one.', input: input({ value: c.awsExternalId }) }),
      field({ name: 'awsRoleDuration', label: 'Role duration (optional)', hint: 'ISO-8601, PT15M to PT12H; PT1H when empty.', input: input({ value: c.awsRoleDuration, placeholder: 'PT1H' }) }),
      field({ name: 'awsStsEndpoint', label: 'STS endpoint (optional)', hint: 'https://sts.<region>.amazonaws.com when empty; a VPC endpoint’s URL for a private STS.', input: input({ type: 'url', value: c.awsStsEndpoint }) })),
    exchange: h('fieldset', { 'data-protocols': 'oauth2_token_exchange' }, h('legend', {}, 'Token exchange'),
      field({ name: 'tokenExchange.subjectCredential', label: 'Subject credential (optional)', hint: 'The credential whose access token is exchanged; when empty, each caller sends its own in the Callgate-Subject-Token header.', input: input({ value: (c.tokenExchange || {}).subjectCredential }) }),
      field({ name: 'tokenExchange.audience', label: 'Audience (optional)', hint: 'Whom the token is for, e.g. the API’s client id; several separated by spaces.', input: input({ value: ((c.tokenExchange || {}).audience || []).join(' ') }) }),
      field({ name: 'tokenExchange.resource', label: 'Resource (optional)', hint: 'Absolute URIs of the API (RFC 8707), separated by spaces.', input: input({ value: ((c.tokenExchange || {}).resource || []).join(' ') }) }),
      field({ name: 'tokenExchange.requestedTokenType', label: 'Requested token type (optional)', hint: 'e.g. urn:ietf:params:oauth:token-type:access_token; the provider chooses when empty.', input: input({ value: (c.tokenExchange || {}).requestedTokenType }) }),
      field({ name: 'tokenExchange.subjectTokenType', label: 'Subject token type', hint: 'What the subject token is.', input: input({ value: (c.tokenExchange || {}).subjectTokenType || 'urn:ietf:params:oauth:token-type:access_token' }) })),
  };

  const form = h('form', { 'aria-label': editing ? `Configuration of ${c.name}` : 'New credential', novalidate: true },
    summary,
    field({ name: 'name', label: 'Name', hint: 'A letter, then up to 63 letters, digits, "_" or "-"; callers call /v1/callout/<name>/….', input: input({ value: c.name, readonly: editing, required: true }) }),
    field({ name: 'url', label: 'Base URL', hint: 'The API’s base URL: callouts go to it plus their path, never above it or to another host.', input: input({ type: 'url', value: c.url, required: true, placeholder: 'https://api.example.com/v1' }) }),
    field({ name: 'protocol', label: 'Protocol', hint: 'How Callgate authenticates to the API.', input: protocol }),
    field({ name: 'principal', label: 'Principal', hint: 'named: one token shared by every caller; per_user: a token per user, the caller’s key subject (authorization code or JWT bearer only).', input: select([['named', 'named'], ['per_user', 'per_user']], c.principal || 'named') }),
    groups.tokens, groups.basic, groups.apiKey, groups.jwt, groups.aws, groups.exchange,
    h('fieldset', {}, h('legend', {}, 'Mutual TLS (optional, RFC 8705)'),
      field({ name: 'tlsClientCertificate', label: 'Client certificate', hint: 'PEM, leaf first, its chain allowed: presented to the API. Without one, an OAuth credential presents its provider’s, so that a certificate-bound token meets its certificate.', input: h('textarea', { rows: '3', autocomplete: 'off', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' }, c.tlsClientCertificate || '') }),
      field({ name: 'tlsClientKey', label: 'Client certificate key', hint: `Its private key, an unencrypted PKCS#8 PEM; stored encrypted.${secretNote}`, input: h('textarea', { rows: '3', autocomplete: 'off', spellcheck: 'false', placeholder: c.hasTlsClientKey ? 'stored; paste it again to save' : '-----BEGIN PRIVATE KEY-----' }) }),
      field({ name: 'tlsTrustedCertificates', label: 'Trusted certificates', hint: 'PEM certificates of authorities to trust for the API besides the JVM’s (a private CA).', input: h('textarea', { rows: '2', autocomplete: 'off', spellcheck: 'false' }, c.tlsTrustedCertificates || '') })),
    field({ name: 'testPath', label: 'Test path (optional)', hint: 'What Test connection calls, e.g. /me: a path that answers 200 when the credential works.', input: input({ value: c.testPath, placeholder: '/me' }) }),
    field({ name: 'allowedCallers', label: 'Allowed callers', hint: 'Subjects of the API keys that may call it, separated by spaces or commas; empty means admins only.', input: input({ value: (c.allowedCallers || []).join(' ') }) }),
    field({ name: 'allowedReturnUrls', label: 'Allowed return URLs', hint: 'Where a browser may be sent back after authorizing (connect links, your application): absolute http(s) URLs, separated by spaces; a return URL must match one’s scheme, host and port and start with its path.', input: input({ value: (c.allowedReturnUrls || []).join(' ') }) }),
    field({ name: 'applicationName', label: 'Application name (optional)', hint: 'What the end user is told asks for access on a connect link’s page; the credential’s name when empty.', input: input({ value: c.applicationName, maxlength: '100' }) }),
    field({ name: 'allowedMethods', label: 'Allowed methods', hint: 'The HTTP methods callouts may use; empty means GET HEAD POST PUT PATCH DELETE OPTIONS.', input: input({ value: (c.allowedMethods || []).join(' ') }) }),
    h('fieldset', {}, h('legend', {}, 'Headers, merge fields and refresh'),
      checkbox('generateAuthorizationHeader', 'Generate the Authorization header', 'Callgate sets Authorization itself; a caller’s own Authorization is then refused as a conflict.', c.generateAuthorizationHeader ?? true),
      checkbox('allowMergeFieldsInHeaders', 'Allow merge fields in headers', 'Callers may write {!$Credential.OAuthToken} and the like in headers, and Callgate fills them in.', c.allowMergeFieldsInHeaders ?? false),
      checkbox('allowMergeFieldsInBody', 'Allow merge fields in the body', 'The same in request bodies.', c.allowMergeFieldsInBody ?? false),
      checkbox('keepAlive', 'Keep the refresh token alive', 'Refresh before the refresh token idles out, even when nobody calls.', c.keepAlive ?? true)),
    h('button', { type: 'submit' }, editing ? 'Save changes' : 'Create credential'));

  const showProtocolFields = () => {
    for (const group of form.querySelectorAll('[data-protocols]')) {
      group.hidden = !group.dataset.protocols.split(' ').includes(protocol.value);
    }
  };
  protocol.addEventListener('change', showProtocolFields);
  showProtocolFields();

  onSubmit(form, async () => {
    const chosen = protocol.value;
    const body = compact({
      name: text(form, 'name'),
      url: text(form, 'url'),
      protocol: chosen,
      principal: text(form, 'principal'),
      provider: TOKEN_PROTOCOLS.has(chosen) ? text(form, 'provider') : undefined,
      refreshOn: TOKEN_PROTOCOLS.has(chosen) ? rules(text(form, 'refreshOn')) : undefined,
      tokenPlacement: TOKEN_PROTOCOLS.has(chosen) ? placementFrom(form) : undefined,
      testPath: text(form, 'testPath'),
      allowedCallers: list(form, 'allowedCallers') || [],
      allowedMethods: list(form, 'allowedMethods'),
      allowedReturnUrls: list(form, 'allowedReturnUrls') || [],
      applicationName: text(form, 'applicationName'),
      generateAuthorizationHeader: checked(form, 'generateAuthorizationHeader'),
      allowMergeFieldsInHeaders: checked(form, 'allowMergeFieldsInHeaders'),
      allowMergeFieldsInBody: checked(form, 'allowMergeFieldsInBody'),
      keepAlive: checked(form, 'keepAlive'),
      tlsClientCertificate: text(form, 'tlsClientCertificate'),
      tlsClientKey: text(form, 'tlsClientKey'),
      tlsTrustedCertificates: text(form, 'tlsTrustedCertificates'),
      ...(chosen === 'basic' ? { username: text(form, 'username'), password: text(form, 'password') } : {}),
      ...(chosen === 'api_key' ? { apiKeyHeader: text(form, 'apiKeyHeader'), apiKey: text(form, 'apiKey') } : {}),
      ...(chosen === 'oauth2_jwt_bearer'
        ? { jwtIssuer: text(form, 'jwtIssuer'), jwtSubject: text(form, 'jwtSubject'), jwtAudience: text(form, 'jwtAudience'), jwtSigningKey: text(form, 'jwtSigningKey') }
        : {}),
      ...(chosen === 'aws_sigv4'
        ? Object.fromEntries(['awsAccessKeyId', 'awsSecretAccessKey', 'awsSessionToken', 'awsRegion', 'awsService', 'awsRoleArn', 'awsRoleSessionName', 'awsExternalId', 'awsRoleDuration', 'awsStsEndpoint'].map((f) => [f, text(form, f)]))
        : {}),
      ...(chosen === 'oauth2_token_exchange'
        ? {
          tokenExchange: compact({
            subjectCredential: text(form, 'tokenExchange.subjectCredential'),
            audience: list(form, 'tokenExchange.audience'),
            resource: list(form, 'tokenExchange.resource'),
            requestedTokenType: text(form, 'tokenExchange.requestedTokenType'),
            subjectTokenType: text(form, 'tokenExchange.subjectTokenType'),
          }),
        }
        : {}),
    });
    const saved = editing
      ? await api.put(`/v1/credentials/${api.seg(c.name)}`, compact(body))
      : await api.post('/v1/credentials', compact(body));
    for (const s of form.querySelectorAll('input[type=password], textarea:not([name=refreshOn]):not([name=tlsClientCertificate]):not([name=tlsTrustedCertificates])')) s.value = '';
    const rearmed = saved.rearmedTokens ? ` ${saved.rearmedTokens} tokens re-armed.` : '';
    await ctx.go(`#/credentials/${api.seg(saved.name)}`);
    announce(`${editing ? 'Saved' : 'Created'} credential ${saved.name}.${rearmed}`);
  });
  return form;
}

/** The form's choice for a credential's tokenPlacement: the default reads as Authorization Bearer. */
function placementOf(placement) {
  if (!placement || (placement.in === 'header' && placement.name === 'Authorization' && placement.prefix === 'Bearer ')) return 'bearer';
  return placement.in;
}

/** The tokenPlacement to send; none for Authorization Bearer. The prefix keeps its spaces. */
function placementFrom(form) {
  const chosen = text(form, 'tokenPlacement');
  if (chosen === 'bearer') return undefined;
  const placement = { in: chosen, name: text(form, 'tokenPlacementName') };
  const prefix = form.elements.namedItem('tokenPlacementPrefix').value;
  return chosen === 'header' && prefix !== '' ? { ...placement, prefix } : placement;
}
