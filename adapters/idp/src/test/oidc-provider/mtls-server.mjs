// node-oidc-provider with mutual TLS (RFC 8705), for the identity-provider adapter's tests.
// Usage: node mtls-server.mjs <port>
// Environment: TLS_SERVER_CERT, TLS_SERVER_KEY (PEM files of this server's certificate and key),
// TLS_CLIENT_CA (PEM file of the authority whose client certificates it verifies), and
// SELF_SIGNED_CLIENT_CERT (PEM file of the self_signed_tls_client_auth client's certificate).
// Prints "ready <issuer>" once it listens on https://127.0.0.1:<port>.
//
// Clients (client credentials only, their access tokens bound to the client certificate):
//   mtls-client       tls_client_auth, subject CN=callgate-mtls, issued by TLS_CLIENT_CA
//   mtls-self-signed  self_signed_tls_client_auth, the certificate in its JWKS
//   resource-server   client_secret_basic: a target that introspects the tokens it is shown
//
// The discovery document names a token endpoint at /token and, in mtls_endpoint_aliases (RFC 8705
// §5), one at /mtls/token. Only requests through the alias have their client certificate read, as
// at a provider whose mutual-TLS endpoints live on a host of their own: a client certificate sent
// to /token proves nothing.
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import https from 'node:https';

import Provider from 'oidc-provider';

const HOST = '127.0.0.1';
const port = Number(process.argv[2] ?? 0);
const issuer = `https://${HOST}:${port}`;
const read = (variable) => readFileSync(process.env[variable], 'utf8');

const RESOURCE_SERVER_ID = 'resource-server';
const ALIAS_PREFIX = '/mtls';

const selfSigned = new X509Certificate(read('SELF_SIGNED_CLIENT_CERT'));
const selfSignedJwk = {
  ...selfSigned.publicKey.export({ format: 'jwk' }),
  use: 'sig',
  x5c: [selfSigned.raw.toString('base64')],
  'x5t#S256': createHash('sha256').update(selfSigned.raw).digest('base64url'),
};

const boundClient = {
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'api:read',
  tls_client_certificate_bound_access_tokens: true,
};

const configuration = {
  clients: [
    {
      ...boundClient,
      client_id: 'mtls-client',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=callgate-mtls',
    },
    {
      ...boundClient,
      client_id: 'mtls-self-signed',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      jwks: { keys: [selfSignedJwk] },
    },
    {
      client_id: RESOURCE_SERVER_ID,
      client_secret: 'resource-server-secret-with-enough-length-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  scopes: ['api:read'],
  clientAuthMethods: ['client_secret_basic', 'tls_client_auth', 'self_signed_tls_client_auth'],
  routes: { token: '/token', introspection: '/token/introspection' },
  discovery: {
    mtls_endpoint_aliases: { token_endpoint: `${issuer}${ALIAS_PREFIX}/token` },
  },
  features: {
    clientCredentials: { enabled: true },
    introspection: {
      enabled: true,
      allowedPolicy: async (ctx, client) => client.clientId === RESOURCE_SERVER_ID,
    },
    mTLS: {
      enabled: true,
      certificateBoundAccessTokens: true,
      tlsClientAuth: true,
      selfSignedTlsClientAuth: true,
      getCertificate(ctx) {
        if (!ctx.state.throughAlias) return undefined;
        const peer = ctx.socket.getPeerX509Certificate();
        return peer ?? undefined;
      },
      certificateAuthorized(ctx) {
        return ctx.socket.authorized;
      },
      certificateSubjectMatches(ctx, property, expected) {
        if (property !== 'tls_client_auth_subject_dn') return false;
        const peer = ctx.socket.getPeerX509Certificate();
        return peer !== undefined && peer.subject.replaceAll('\n', ',') === expected;
      },
    },
  },
  ttl: { ClientCredentials: 300 },
};

const provider = new Provider(issuer, configuration);

// The alias serves the token endpoint itself; requests that came through it are marked.
provider.use(async (ctx, next) => {
  if (ctx.path === `${ALIAS_PREFIX}/token`) {
    ctx.state.throughAlias = true;
    ctx.path = '/token';
  }
  await next();
});

const server = https.createServer(
  {
    cert: read('TLS_SERVER_CERT'),
    key: read('TLS_SERVER_KEY'),
    ca: read('TLS_CLIENT_CA'),
    requestCert: true,
    // the provider decides (certificateAuthorized): a self-signed client certificate is fine
    rejectUnauthorized: false,
  },
  provider.callback(),
);

server.listen(port, HOST, () => {
  console.log(`ready ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
