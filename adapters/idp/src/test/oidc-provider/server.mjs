// A real OpenID Connect provider for the identity-provider adapter's tests.
// Usage: node server.mjs <port> [accessTokenTtlSeconds] [refreshTokenTtlSeconds] [controlPort]
// Prints "ready <issuer>" once it listens; the test reads the discovery document before using it.
// The client "callgate" accepts http://127.0.0.1/v1/oauth/callback, and besides the redirect URIs
// listed, comma-separated, in the environment variable EXTRA_REDIRECT_URIS (a Callgate started on
// a port of its own announces its callback with that port).
//
// RFC 8707 resource indicators: a token request (and the authorization request before a code) that
// names RESOURCE_INDICATOR below gets an access token for that resource alone, whose audience
// introspection reports; any other resource is refused with invalid_target.
//
// With a control port, a second loopback HTTP server lets a test observe and disturb the provider.
// It stays up while the provider's own port is down:
//   GET  /stats                    token-endpoint requests by grant_type, error answers by OAuth
//                                  error code, refresh grants that issued tokens
//   POST /stats/reset
//   POST /hold?phase=BEFORE_PROCESSING|AFTER_PROCESSING
//                                  hold the next grant_type=refresh_token request before the
//                                  provider processes it, or its answer after it did
//   GET  /hold?waitMs=<ms>         {"held": true} once a request is being held, false on timeout
//   POST /hold/release             let the held request continue
//   POST /outage?ms=<ms>           close the provider's port (answers once it is closed) and listen
//                                  again after <ms> with every grant, token and session kept
//   POST /outage/end               listen again now (answers once it listens)
//   POST /ttl?access=<seconds>     the lifetime of access tokens issued from now on
//   POST /delay?ms=<ms>            every token request waits this long before it is processed
//   GET  /issued                   the tokens the token endpoint issued since the last ask,
//                                  [{"type": "refresh_token", "value": "…"}, …], for the tests'
//                                  secret scan
//   GET  /refresh-tokens?account=<id>
//                                  the refresh tokens issued to the account, oldest first, so that
//                                  a test can ask introspection about a grant a client holds
//
// The device authorization grant (RFC 8628) is enabled for "callgate"; the client
// "callgate-without-device-grant" may not use it.
import http from 'node:http';

import Provider, { errors } from 'oidc-provider';

const HOST = '127.0.0.1';
const port = Number(process.argv[2] ?? 0);
let accessTokenTtl = Number(process.argv[3] ?? 5);
let tokenDelayMs = 0;
const refreshTokenTtl = Number(process.argv[4] ?? 20);
const controlPort = process.argv[5] === undefined ? undefined : Number(process.argv[5]);
const issuer = `http://${HOST}:${port}`;
const extraRedirectUris = (process.env.EXTRA_REDIRECT_URIS ?? '')
  .split(',')
  .map((uri) => uri.trim())
  .filter((uri) => uri !== '');

const TOKEN_PATH = '/token';
// A test that forgets to release a hold must not leave a request hanging for the rest of the run.
const MAX_HOLD_MS = 120_000;
const RESOURCE_SERVER_ID = 'resource-server';
const RESOURCE_INDICATOR = 'https://api.callgate.test/';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const configuration = {
  clients: [
    {
      client_id: 'callgate',
      client_secret: 'callgate-secret-with-enough-length-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/v1/oauth/callback', ...extraRedirectUris],
      scope: 'openid offline_access profile api:read',
    },
    {
      // The same kind of client without the device grant: the provider refuses it unauthorized_client.
      client_id: 'callgate-without-device-grant',
      client_secret: 'callgate-without-device-grant-secret-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/v1/oauth/callback', ...extraRedirectUris],
      scope: 'openid offline_access profile api:read',
    },
    {
      // A third-party API that checks the access tokens it is shown (RFC 7662); it gets none itself.
      client_id: RESOURCE_SERVER_ID,
      client_secret: 'resource-server-secret-with-enough-length-0123456789',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  scopes: ['openid', 'offline_access', 'profile', 'api:read'],
  routes: { token: TOKEN_PATH, introspection: '/token/introspection' },
  features: {
    // Login and consent as plain HTML forms, so a test can drive them with HTTP requests.
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    // RFC 8628: the user code is entered (or confirmed, from verification_uri_complete) at /device,
    // then the login and consent forms above; the confirmation page's abort button denies.
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      getResourceServerInfo: async (ctx, resourceIndicator) => {
        if (resourceIndicator !== RESOURCE_INDICATOR) {
          throw new errors.InvalidTarget();
        }
        // opaque, so that the resource server checks it by introspection like every other token
        return { scope: 'api:read', audience: RESOURCE_INDICATOR, accessTokenFormat: 'opaque' };
      },
    },
    introspection: {
      enabled: true,
      // The default lets any confidential client introspect any token; say who may, on purpose.
      allowedPolicy: async (ctx, client, token) =>
        client.clientId === RESOURCE_SERVER_ID || client.clientId === token.clientId,
    },
  },
  // Every refresh answers with a new refresh token and consumes the old one.
  rotateRefreshToken: true,
  // A refresh token only for grants that asked (and were consented) for offline_access.
  issueRefreshToken: async (ctx, client, code) =>
    client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  ttl: {
    // read at every issue, so that the control port can change it
    AccessToken: () => accessTokenTtl,
    ClientCredentials: accessTokenTtl,
    AuthorizationCode: 60,
    IdToken: 60,
    Interaction: 300,
    Session: 300,
    // a grant outlives its refresh tokens: they end by their own lifetime, not by the grant's
    Grant: 86400,
    RefreshToken: refreshTokenTtl,
  },
  pkce: { required: () => false },
};

const provider = new Provider(issuer, configuration);

const stats = { tokenRequests: {}, tokenErrors: {}, refreshesIssued: 0 };
const ISSUED_TYPES = ['access_token', 'refresh_token', 'id_token'];
let issued = [];
const increment = (counts, key) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

provider.on('grant.success', (ctx) => {
  if (ctx.oidc.params.grant_type === 'refresh_token') {
    stats.refreshesIssued += 1;
  }
});

// The refresh tokens issued, by account; an opaque token's value is its jti.
const refreshTokens = {};
provider.on('refresh_token.saved', (token) => {
  const ofAccount = (refreshTokens[token.accountId] ??= []);
  if (!ofAccount.includes(token.jti)) ofAccount.push(token.jti);
});

// The phase the next refresh_token request is held in, and the request being held now.
let armedPhase = null;
let held = null;
const heldWaiters = new Set();

// Resolves 'released' when the test (or MAX_HOLD_MS) lets the request go on, 'gone' when its
// client disconnected meanwhile.
function hold(ctx) {
  return new Promise((resolve) => {
    const { socket } = ctx.req;
    let settled = false;
    const settle = (outcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(limit);
      socket.off('close', gone);
      ctx.res.off('close', gone);
      if (held === current) held = null;
      resolve(outcome);
    };
    const gone = () => settle('gone');
    const limit = setTimeout(() => settle('released'), MAX_HOLD_MS);
    const current = { release: () => settle('released') };
    held = current;
    // The request stream has been read to its end already, so its own 'close' says nothing about
    // the client; the socket's and the unfinished response's do.
    socket.once('close', gone);
    ctx.res.once('close', gone);
    for (const notify of heldWaiters) notify();
    if (socket.destroyed) gone();
  });
}

// The grant type, read before the provider processes the request, so that a hold can happen
// before it does. node-oidc-provider then parses the body this leaves on the request.
async function readGrantType(ctx) {
  if (!ctx.is('application/x-www-form-urlencoded')) return undefined;
  const chunks = [];
  for await (const chunk of ctx.req.iterator({ destroyOnReturn: false })) {
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  ctx.req.body = body;
  return new URLSearchParams(body.toString('utf8')).get('grant_type') ?? undefined;
}

provider.use(async (ctx, next) => {
  // The token endpoint itself only: introspection and revocation live under it.
  if (ctx.method !== 'POST' || ctx.path !== TOKEN_PATH) {
    await next();
    return;
  }
  const grantType = await readGrantType(ctx);
  increment(stats.tokenRequests, grantType ?? '(missing)');
  if (tokenDelayMs > 0) {
    // a slow provider: every token request waits before it is processed
    await new Promise((resolve) => setTimeout(resolve, tokenDelayMs));
  }
  const phase = grantType === 'refresh_token' ? armedPhase : null;
  if (phase) armedPhase = null;

  if (phase === 'BEFORE_PROCESSING' && (await hold(ctx)) === 'gone') {
    // Never processed: the refresh token stays valid.
    ctx.respond = false;
    ctx.req.socket.destroy();
    return;
  }
  await next();
  if (ctx.status >= 400 && typeof ctx.body?.error === 'string') {
    increment(stats.tokenErrors, ctx.body.error);
  }
  for (const type of ISSUED_TYPES) {
    if (ctx.status === 200 && typeof ctx.body?.[type] === 'string') {
      issued.push({ type, value: ctx.body[type] });
    }
  }
  if (phase === 'AFTER_PROCESSING' && (await hold(ctx)) === 'gone') {
    // Processed (the refresh token rotated), but nobody hears the answer.
    ctx.respond = false;
    ctx.req.socket.destroy();
  }
});

// The provider's own port: up, or down during an outage. Transitions run one after the other.
let server = null;
let outageTimer = null;
let transitions = Promise.resolve();
const transition = (step) => {
  transitions = transitions.then(step, step);
  return transitions;
};

const listenOnce = () =>
  new Promise((resolve, reject) => {
    const listening = provider.listen(port, HOST);
    listening.once('listening', () => resolve(listening));
    listening.once('error', reject);
  });

async function startListening() {
  // The port was ours a moment ago; give another process that grabbed it meanwhile a few seconds.
  for (let attempt = 1; !server; attempt += 1) {
    try {
      server = await listenOnce();
    } catch (error) {
      if (error.code !== 'EADDRINUSE' || attempt === 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const stopListening = () =>
  new Promise((resolve) => {
    if (!server) {
      resolve();
      return;
    }
    const closing = server;
    server = null;
    closing.close(() => resolve());
    // Open connections too, held requests included: clients see their connection go away.
    closing.closeAllConnections();
  });

const endOutage = () =>
  transition(() => {
    clearTimeout(outageTimer);
    outageTimer = null;
    return startListening();
  });

const beginOutage = (ms) =>
  transition(async () => {
    clearTimeout(outageTimer);
    await stopListening();
    outageTimer = setTimeout(() => endOutage().catch(exit), ms);
  });

function answer(res, status, body) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(body === undefined ? '' : JSON.stringify(body));
}

async function control(req, res) {
  const url = new URL(req.url, `http://${HOST}`);
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /stats':
      return answer(res, 200, stats);
    case 'GET /issued': {
      const answered = issued;
      issued = [];
      return answer(res, 200, answered);
    }
    case 'POST /stats/reset':
      stats.tokenRequests = {};
      stats.tokenErrors = {};
      stats.refreshesIssued = 0;
      return answer(res, 204);
    case 'POST /hold': {
      const phase = url.searchParams.get('phase');
      if (phase !== 'BEFORE_PROCESSING' && phase !== 'AFTER_PROCESSING') {
        return answer(res, 400, { error: `unknown phase ${phase}` });
      }
      armedPhase = phase;
      return answer(res, 204);
    }
    case 'GET /hold': {
      if (held) return answer(res, 200, { held: true });
      const waitMs = Number(url.searchParams.get('waitMs') ?? 0);
      return new Promise((resolve) => {
        const done = (isHeld) => {
          clearTimeout(timer);
          heldWaiters.delete(notify);
          resolve(answer(res, 200, { held: isHeld }));
        };
        const notify = () => done(true);
        const timer = setTimeout(() => done(false), waitMs);
        heldWaiters.add(notify);
      });
    }
    case 'POST /hold/release': {
      armedPhase = null;
      const releasing = held;
      releasing?.release();
      return answer(res, 200, { released: Boolean(releasing) });
    }
    case 'POST /outage': {
      const ms = Number(url.searchParams.get('ms'));
      if (!Number.isFinite(ms) || ms < 0) {
        return answer(res, 400, { error: 'ms must be a non-negative number' });
      }
      await beginOutage(ms);
      return answer(res, 204);
    }
    case 'POST /outage/end':
      await endOutage();
      return answer(res, 204);
    case 'GET /refresh-tokens':
      return answer(res, 200, {
        refreshTokens: refreshTokens[url.searchParams.get('account')] ?? [],
      });
    case 'POST /delay': {
      const ms = Number(url.searchParams.get('ms'));
      if (!Number.isInteger(ms) || ms < 0) {
        return answer(res, 400, { error: 'ms must be a non-negative whole number' });
      }
      tokenDelayMs = ms;
      return answer(res, 204);
    }
    case 'POST /ttl': {
      const seconds = Number(url.searchParams.get('access'));
      if (!Number.isInteger(seconds) || seconds < 1) {
        return answer(res, 400, { error: 'access must be a positive number of seconds' });
      }
      accessTokenTtl = seconds;
      return answer(res, 204);
    }
    default:
      return answer(res, 404, { error: 'not found' });
  }
}

async function main() {
  if (controlPort !== undefined) {
    const controlServer = http.createServer((req, res) => {
      control(req, res).catch((error) => answer(res, 500, { error: String(error) }));
    });
    await new Promise((resolve, reject) => {
      controlServer.once('error', reject);
      controlServer.listen(controlPort, HOST, resolve);
    });
  }
  // Listening after the control server, so that a served discovery document means both are up.
  await transition(startListening);
  console.log(`ready ${issuer}`);
}

function exit(error) {
  console.error(error);
  process.exit(1);
}

main().catch(exit);

// The test ends this process; leave quietly.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
