// Auth providers: the list, a form to create or edit one, the check of discovery and client
// authentication, and delete.

import { h, replace, page, announce, alarm, diagnosis, field, confirmStep, table } from './dom.js';
import * as api from './api.js';
import { problemSummary, text, list, compact, refusal, onSubmit } from './forms.js';

export async function providers(container, ctx) {
  const all = await api.get('/v1/providers');
  if (ctx.stale()) return;
  const result = h('div', { class: 'action-result' });
  const rows = all.map((p) =>
    h('tr', {},
      h('th', { scope: 'row' }, h('a', { href: `#/providers/${api.seg(p.name)}` }, p.name)),
      h('td', {}, p.issuer || p.tokenEndpoint || '—'),
      h('td', {}, p.clientId),
      h('td', {}, p.clientAuthMethod),
      h('td', {}, (p.scopes || []).join(' ') || '—'),
      h('td', {}, p.refreshTokenLifetime || 'from the provider'),
      h('td', {}, p.template || '—'),
      h('td', {}, h('div', { class: 'row-actions' }, checkButton(p.name, result)))));
  replace(
    container,
    ...page(
      'Providers',
      h('p', {}, 'An auth provider is an OAuth 2.0 / OpenID Connect server and Callgate’s client at it. Credentials name one.'),
      h('p', {}, h('button', { type: 'button', on: { click: () => ctx.go('#/providers/+new') } }, 'New provider')),
      result,
      rows.length
        ? table(`Providers: ${rows.length}`, ['Name', 'Issuer or token endpoint', 'Client id', 'Client authentication', 'Scopes', 'Refresh token lifetime', 'Template', 'Actions'], rows)
        : h('p', {}, 'No providers yet.'),
    ),
  );
}

/** "Check": discovery and proof of client authentication, whatever their result. */
function checkButton(name, result) {
  const b = h('button', { type: 'button', class: 'secondary', 'aria-label': `Check ${name}` }, 'Check');
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const check = await api.post(`/v1/providers/${api.seg(name)}/test`);
      replace(result,
        h('h2', {}, `Check of ${name}: ${check.ok ? '✓ OK' : '✗ problems found'}`),
        h('ul', {}, (check.checks || []).map((c) => h('li', {}, c.ok ? '✓ ' : '✗ ', h('strong', {}, c.name), c.detail ? `: ${c.detail}` : ''))),
        (check.diagnoses || []).map(diagnosis));
      const said = `Check of ${name}: ${check.ok ? 'OK' : 'problems found'}.` + (check.diagnoses || []).map((d) => ` ${d.code}: ${d.message}`).join('');
      check.ok ? announce(said) : alarm(said);
    } catch (failure) {
      if (!(failure instanceof api.ApiProblem)) throw failure;
      refusal(result, failure, `Check of ${name}`);
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

export async function provider(container, ctx, name) {
  const [p, templates] = await Promise.all([
    name ? api.get(`/v1/providers/${api.seg(name)}`) : null,
    api.get('/v1/provider-templates'),
  ]);
  if (ctx.stale()) return;
  const editing = Boolean(p);
  const c = p || {};
  const input = (attributes) => h('input', { type: 'text', autocomplete: 'off', ...attributes });
  const summary = problemSummary();
  // the chosen template's parameters, one input each, named as the API names their problems
  const parameters = h('fieldset', { hidden: true });
  const fills = h('small', { class: 'hint' });
  const showTemplate = (chosen) => {
    const t = templates.find((x) => x.name === chosen);
    const given = (c.template === chosen && c.templateParameters) || {};
    replace(parameters, ...(t && t.parameters.length
      ? [h('legend', {}, `${t.displayName} parameters`),
         ...t.parameters.map((q) => field({ name: `templateParameters.${q.name}`, label: q.name, hint: `${q.description}; ${q.rule}.`, input: input({ value: given[q.name], placeholder: q.example, required: true }) }))]
      : []));
    parameters.hidden = !t || t.parameters.length === 0;
    fills.textContent = t
      ? `Fills what you leave empty: ${Object.entries(t.fills).map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(' ') || '(none)' : v}`).join(', ')}.${Object.keys(t.authorizationParameters).length ? ` Adds ${Object.entries(t.authorizationParameters).map(([k, v]) => `${k}=${v}`).join(', ')} to authorization requests.` : ''} ${t.notes}.`
      : 'No template: give the issuer or the endpoints yourself.';
  };
  const templateSelect = h('select', {},
    h('option', { value: '', selected: !c.template }, '(none)'),
    templates.map((t) => h('option', { value: t.name, selected: t.name === c.template }, t.displayName)));
  templateSelect.addEventListener('change', () => showTemplate(templateSelect.value));
  const form = h('form', { 'aria-label': editing ? `Configuration of ${c.name}` : 'New provider', novalidate: true },
    summary,
    field({ name: 'name', label: 'Name', hint: 'A letter, then up to 63 letters, digits, "_" or "-"; credentials name the provider by it.', input: input({ value: c.name, readonly: editing, required: true }) }),
    field({ name: 'template', label: 'Template (optional)', hint: 'A known identity provider: Callgate fills the issuer or endpoints, scopes and lifetimes from a few parameters; fields you fill yourself win.', input: templateSelect }),
    fills,
    parameters,
    field({ name: 'issuer', label: 'Issuer', hint: 'The OpenID Connect issuer URL: Callgate discovers the endpoints from it. Or leave it empty and give the token endpoint.', input: input({ type: 'url', value: c.issuer, placeholder: 'https://login.example.com/realms/main' }) }),
    h('fieldset', {}, h('legend', {}, 'Endpoints (only without an issuer, or to override discovery)'),
      field({ name: 'authorizationEndpoint', label: 'Authorization endpoint', hint: 'Where a person signs in (authorization code flow).', input: input({ type: 'url', value: c.authorizationEndpoint }) }),
      field({ name: 'tokenEndpoint', label: 'Token endpoint', hint: 'Where Callgate gets and refreshes tokens.', input: input({ type: 'url', value: c.tokenEndpoint }) }),
      field({ name: 'revocationEndpoint', label: 'Revocation endpoint', hint: 'Where Callgate revokes grants (RFC 7009); without one, a revoked grant may live on at the provider.', input: input({ type: 'url', value: c.revocationEndpoint }) }),
      field({ name: 'deviceAuthorizationEndpoint', label: 'Device authorization endpoint', hint: 'Where a credential is authorized from another device (RFC 8628), when discovery names none.', input: input({ type: 'url', value: c.deviceAuthorizationEndpoint }) })),
    field({ name: 'clientId', label: 'Client id', hint: 'Callgate’s client at the provider.', input: input({ value: c.clientId, required: true }) }),
    field({ name: 'clientSecret', label: 'Client secret', hint: `Stored encrypted; not needed with client authentication none or private_key_jwt.${editing ? ' Callgate never shows it: give it again whenever you save.' : ''}`, input: h('input', { type: 'password', autocomplete: 'new-password', placeholder: c.hasClientSecret ? 'stored; type it again to save' : '' }) }),
    field({ name: 'clientAuthMethod', label: 'Client authentication', hint: 'How Callgate proves it is the client at the token endpoint.', input: h('select', {}, h('option', { value: '', selected: !c.clientAuthMethod }, 'the template’s, else client_secret_basic'), ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'client_secret_jwt', 'tls_client_auth', 'self_signed_tls_client_auth', 'none'].map((m) => h('option', { value: m, selected: m === c.clientAuthMethod }, m))) }),
    field({ name: 'clientPrivateKey', label: 'Client private key (private_key_jwt)', hint: `The RSA or EC private key, PKCS#8 PEM or a JWK, that signs the client assertions; the provider holds its public key. Stored encrypted.${editing ? ' Callgate never shows it: paste it again whenever you save.' : ''}`, input: h('textarea', { rows: '4', autocomplete: 'off', spellcheck: 'false', placeholder: c.hasClientPrivateKey ? 'stored; paste it again to save' : '-----BEGIN PRIVATE KEY-----' }) }),
    field({ name: 'clientKeyId', label: 'Key id (optional)', hint: 'The kid of the assertions, as the provider knows the public key; a JWK’s own kid otherwise.', input: input({ value: c.clientKeyId }) }),
    field({ name: 'clientAssertionAlgorithm', label: 'Assertion algorithm (optional)', hint: 'Default RS256 for an RSA key, the curve’s ES256/ES384/ES512 for an EC key, HS256 for client_secret_jwt.', input: input({ value: c.clientAssertionAlgorithm, placeholder: 'RS256' }) }),
    h('fieldset', {}, h('legend', {}, 'Mutual TLS (optional, RFC 8705)'),
      field({ name: 'tlsClientCertificate', label: 'Client certificate', hint: 'PEM, leaf first, its chain allowed: presented at the token, revocation and discovery endpoints (tls_client_auth, self_signed_tls_client_auth, certificate-bound tokens), and to the targets of credentials that have none of their own.', input: h('textarea', { rows: '3', autocomplete: 'off', spellcheck: 'false', placeholder: '-----BEGIN CERTIFICATE-----' }, c.tlsClientCertificate || '') }),
      field({ name: 'tlsClientKey', label: 'Client certificate key', hint: `Its private key, an unencrypted PKCS#8 PEM; stored encrypted.${editing ? ' Callgate never shows it: paste it again whenever you save.' : ''}`, input: h('textarea', { rows: '3', autocomplete: 'off', spellcheck: 'false', placeholder: c.hasTlsClientKey ? 'stored; paste it again to save' : '-----BEGIN PRIVATE KEY-----' }) }),
      field({ name: 'tlsTrustedCertificates', label: 'Trusted certificates', hint: 'PEM certificates of authorities to trust for the provider besides the JVM’s (a private CA).', input: h('textarea', { rows: '2', autocomplete: 'off', spellcheck: 'false' }, c.tlsTrustedCertificates || '') })),
    field({ name: 'scopes', label: 'Scopes', hint: 'Separated by spaces; include offline_access (or the provider’s own) to get a refresh token.', input: input({ value: (c.scopes || []).join(' '), placeholder: 'openid offline_access' }) }),
    field({ name: 'tokenRequestParameters', label: 'Token request parameters (optional)', hint: 'Sent on every token request and the sign-in, one name=value a line, e.g. resource=https://api.example.com/ (RFC 8707) or audience=…; never grant_type, scope or another parameter of the protocol.', input: h('textarea', { rows: '2', autocomplete: 'off', spellcheck: 'false' }, Object.entries(c.tokenRequestParameters || {}).map(([k, v]) => `${k}=${v}`).join('\n')) }),
    field({ name: 'refreshTokenLifetime', label: 'Refresh token lifetime (optional)', hint: 'When the provider does not say how long refresh tokens live: an ISO-8601 duration such as P1D or PT24H. Callgate refreshes before it runs out.', input: input({ value: c.refreshTokenLifetime, placeholder: 'P1D' }) }),
    field({ name: 'accessTokenLifetime', label: 'Access token lifetime (optional)', hint: 'When a token response has no expires_in (GitHub’s and Slack’s classic tokens): an ISO-8601 duration such as PT8H. A stated expires_in always wins; without either, 1 hour.', input: input({ value: c.accessTokenLifetime, placeholder: 'PT8H' }) }),
    h('button', { type: 'submit' }, editing ? 'Save changes' : 'Create provider'));

  showTemplate(c.template || '');

  onSubmit(form, async () => {
    const template = text(form, 'template');
    const chosen = templates.find((t) => t.name === template);
    const templateParameters = chosen
      ? Object.fromEntries(chosen.parameters.map((q) => [q.name, text(form, `templateParameters.${q.name}`) || '']))
      : undefined;
    const body = compact({
      template,
      templateParameters,
      name: text(form, 'name'),
      issuer: text(form, 'issuer'),
      authorizationEndpoint: text(form, 'authorizationEndpoint'),
      tokenEndpoint: text(form, 'tokenEndpoint'),
      revocationEndpoint: text(form, 'revocationEndpoint'),
      deviceAuthorizationEndpoint: text(form, 'deviceAuthorizationEndpoint'),
      clientId: text(form, 'clientId'),
      clientSecret: text(form, 'clientSecret'),
      clientAuthMethod: text(form, 'clientAuthMethod'),
      // without a template, no scopes means none; with one, it means the template's
      scopes: list(form, 'scopes') || (template ? undefined : []),
      refreshTokenLifetime: text(form, 'refreshTokenLifetime'),
      tokenRequestParameters: tokenRequestParameters(form),
      accessTokenLifetime: text(form, 'accessTokenLifetime'),
      clientPrivateKey: text(form, 'clientPrivateKey'),
      clientKeyId: text(form, 'clientKeyId'),
      clientAssertionAlgorithm: text(form, 'clientAssertionAlgorithm'),
      tlsClientCertificate: text(form, 'tlsClientCertificate'),
      tlsClientKey: text(form, 'tlsClientKey'),
      tlsTrustedCertificates: text(form, 'tlsTrustedCertificates'),
    });
    const saved = editing ? await api.put(`/v1/providers/${api.seg(c.name)}`, body) : await api.post('/v1/providers', body);
    form.elements.namedItem('clientSecret').value = '';
    form.elements.namedItem('clientPrivateKey').value = '';
    form.elements.namedItem('tlsClientKey').value = '';
    const rearmed = saved.rearmedTokens ? ` ${saved.rearmedTokens} tokens re-armed.` : '';
    await ctx.go(`#/providers/${api.seg(saved.name)}`);
    announce(`${editing ? 'Saved' : 'Created'} provider ${saved.name}.${rearmed}`);
  });

  const result = h('div', { class: 'action-result' });
  const content = [h('p', {}, h('a', { href: '#/providers' }, 'Back to the providers'))];
  if (editing) {
    const remove = h('button', { type: 'button', class: 'secondary outline' }, 'Delete');
    remove.addEventListener('click', () =>
      confirmStep(result, `Delete the provider ${c.name}?`, 'Delete', async () => {
        try {
          await api.del(`/v1/providers/${api.seg(c.name)}`);
          await ctx.go('#/providers');
          announce(`Deleted provider ${c.name}.`);
        } catch (failure) {
          if (!(failure instanceof api.ApiProblem)) throw failure;
          refusal(result, failure, 'Delete');
        }
      }));
    content.push(
      h('div', { class: 'actions' }, checkButton(c.name, result), remove),
      result,
      p.discovered
        ? h('details', {}, h('summary', {}, 'Endpoints in use'),
            h('dl', { class: 'status' }, Object.entries(p.discovered).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])))
        : null,
      p.discoveryProblem ? h('div', {}, h('h2', {}, 'Discovery'), diagnosis(p.discoveryProblem)) : null,
      h('h2', {}, 'Configuration'));
  }
  content.push(form);
  replace(container, ...page(editing ? `Provider ${c.name}` : 'New provider', ...content));
}

/** The token request parameters typed one name=value a line; a line without '=' is a name with an empty value. */
function tokenRequestParameters(form) {
  const lines = (form.elements.namedItem('tokenRequestParameters').value || '').split('\n').filter((line) => line.trim() !== '');
  return Object.fromEntries(lines.map((line) => {
    const equals = line.indexOf('=');
    return equals < 0 ? [line.trim(), ''] : [line.slice(0, equals).trim(), line.slice(equals + 1).trim()];
  }));
}
