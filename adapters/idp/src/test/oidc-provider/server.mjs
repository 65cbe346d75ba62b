// A real OpenID Connect provider for the identity-provider adapter's tests.
// Usage: node server.mjs <port> [accessTokenTtlSeconds] [refreshTokenTtlSeconds]
// Prints "ready <issuer>" once it listens; the test reads the discovery document before using it.
import Provider from 'oidc-provider';

const port = Number(process.argv[2] ?? 0);
const accessTokenTtl = Number(process.argv[3] ?? 5);
const refreshTokenTtl = Number(process.argv[4] ?? 20);
const issuer = `http://127.0.0.1:${port}`;

const configuration = {
  clients: [
    {
      client_id: 'callgate',
      client_secret: 'callgate-secret-with-enough-length-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/v1/oauth/callback'],
      scope: 'openid offline_access profile api:read',
    },
  ],
  scopes: ['openid', 'offline_access', 'profile', 'api:read'],
  features: {
    // Login and consent as plain HTML forms, so a test can drive them with HTTP requests.
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
  },
  // Every refresh answers with a new refresh token and consumes the old one.
  rotateRefreshToken: true,
  // A refresh token only for grants that asked (and were consented) for offline_access.
  issueRefreshToken: async (ctx, client, code) =>
    client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  ttl: {
    AccessToken: accessTokenTtl,
    ClientCredentials: accessTokenTtl,
    AuthorizationCode: 60,
    IdToken: 60,
    Interaction: 300,
    Session: 300,
    Grant: 300,
    RefreshToken: refreshTokenTtl,
  },
  pkce: { required: () => false },
};

const provider = new Provider(issuer, configuration);
provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

// The test ends this process; leave quietly.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
