// server.mjs runs oidc-provider (a certified OpenID Provider) on 127.0.0.1 for
// the Go tests in internal/oidcprovidertest. It is a test fixture, not a
// deployment: accounts accept any login name with any password.
//
// Usage: node server.mjs [PORT]
//
// PORT 0 (the default) picks a free port. When the server is ready it prints
// one JSON line on stdout:
//   {"issuer":"http://127.0.0.1:PORT","port":PORT,"clients":[{"client_id":...,
//    "client_secret":...,"token_endpoint_auth_method":...,"private_jwk":...},...]}
// private_jwk is the private JWK of the private_key_jwt client and of the
// request object (JAR) client, generated per run; the provider knows only
// its public half.
// It exits on SIGTERM or SIGINT, and when its standard input closes, so a
// test process that dies does not leave it running.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

import { exitOnStop } from './lifecycle.mjs';

const port = Number.parseInt(process.argv[2] ?? '0', 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`server.mjs: bad port ${JSON.stringify(process.argv[2])}`);
  process.exit(2);
}

// The clients the Go tests use. Every client is a native application so that
// any port on http://127.0.0.1/callback is accepted (RFC 8252 §7.3), which
// lets each test run its own loopback listener on a free port.
const redirectURIs = ['http://127.0.0.1/callback'];
const deviceCode = 'urn:ietf:params:oauth:grant-type:device_code';

// The private_key_jwt client's key pair, fresh per run (P-256, ES256).
const { privateKey: clientKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const clientPrivateJWK = { ...clientKey.export({ format: 'jwk' }), kid: 'client-es256', alg: 'ES256', use: 'sig' };
const { d: _d, ...clientPublicJWK } = clientPrivateJWK;
// The request object client's key pair, fresh per run (P-256, ES256).
const { privateKey: jarKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const jarPrivateJWK = { ...jarKey.export({ format: 'jwk' }), kid: 'jar-es256', alg: 'ES256', use: 'sig' };
const { d: _jd, ...jarPublicJWK } = jarPrivateJWK;
const privateJWKs = { 'cc-key-jwt': clientPrivateJWK, 'native-jar': jarPrivateJWK };
const clients = [
  {
    client_id: 'native-public',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: redirectURIs,
    grant_types: ['authorization_code', 'refresh_token', deviceCode],
    response_types: ['code'],
  },
  {
    client_id: 'conf-basic',
    // A secret with characters that RFC 6749 §2.3.1 requires clients to
    // form-urlencode before Basic encoding: oidc-provider decodes them.
    client_secret: 'basic secret+/:%&=?',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: redirectURIs,
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', deviceCode],
    response_types: ['code'],
  },
  {
    client_id: 'conf-post',
    client_secret: 'post-secret-0123456789',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_post',
    redirect_uris: redirectURIs,
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials', deviceCode],
    response_types: ['code'],
  },
  {
    // Its ID tokens are signed ES256, with the provider's P-256 key.
    client_id: 'conf-es256',
    client_secret: 'es256-secret-0123456789',
    application_type: 'native',
    token_endpoint_auth_method: 'client_secret_post',
    id_token_signed_response_alg: 'ES256',
    redirect_uris: redirectURIs,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
  {
    // Client credentials with private_key_jwt (RFC 7523 §2.2).
    client_id: 'cc-key-jwt',
    token_endpoint_auth_method: 'private_key_jwt',
    jwks: { keys: [clientPublicJWK] },
    redirect_uris: [],
    grant_types: ['client_credentials'],
    response_types: [],
  },
  {
    // Client credentials with client_secret_jwt (HS256 keyed by the secret).
    client_id: 'cc-secret-jwt',
    client_secret: randomBytes(32).toString('base64url'),
    token_endpoint_auth_method: 'client_secret_jwt',
    redirect_uris: [],
    grant_types: ['client_credentials'],
    response_types: [],
  },
  {
    // A public native client whose DPoP proofs must carry a server nonce
    // (RFC 9449 §8); the others' may, and need not.
    client_id: 'native-dpop-nonce',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: redirectURIs,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
  {
    // A public native client that signs its authorization requests (JAR,
    // RFC 9101) with its ES256 key, on their own or pushed (PAR).
    client_id: 'native-jar',
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    jwks: { keys: [jarPublicJWK] },
    request_object_signing_alg: 'ES256',
    redirect_uris: redirectURIs,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
];

// Fresh signing keys per run: ID tokens are RS256 (the default), ES256 for
// the client conf-es256.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };
const { privateKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecSigningKey = { ...ecKey.export({ format: 'jwk' }), kid: 'test-es256', use: 'sig', alg: 'ES256' };

const htmlEscape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (title, body) => `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>${htmlEscape(title)}</title></head>
<body><h1>${htmlEscape(title)}</h1>${body}</body></html>`;

const server = createServer();
server.listen(port, '127.0.0.1', () => {
  const actual = server.address().port;
  const issuer = `http://127.0.0.1:${actual}`;

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey, ecSigningKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    // Any login name is an account whose sub is that name.
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return {
            sub, email: `${sub}@example.com`, email_verified: true, name: sub,
          };
        },
      };
    },
    // Besides OpenID's: the calendar scopes of the Go web sample
    // (examples/webapp), which oidc-provider would otherwise leave out of
    // its grants and access tokens.
    scopes: [
      'openid', 'offline_access',
      'https://www.googleapis.com/auth/calendar.readonly',
      'https://www.googleapis.com/auth/calendar.events.readonly',
    ],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    features: {
      devInteractions: { enabled: true },
      // oidc-provider 8 lets a client revoke only its own tokens.
      revocation: { enabled: true },
      introspection: {
        enabled: true,
        // A client may introspect only its own tokens.
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      // PAR (RFC 9126), opt-in per request; RP-initiated logout (the
      // end_session_endpoint) with the default confirmation page.
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: false },
      rpInitiatedLogout: { enabled: true },
      clientCredentials: { enabled: true },
      // DPoP (RFC 9449): tokens requested with a proof are bound to its
      // key; proofs of the client native-dpop-nonce need a server nonce.
      dPoP: {
        enabled: true,
        nonceSecret: randomBytes(32),
        requireNonce: (ctx) => ctx.oidc.client?.clientId === 'native-dpop-nonce',
      },
      // Signed request objects (JAR, RFC 9101) by value; unsigned ones
      // stay allowed, and plain requests too.
      requestObjects: { request: true, requestUri: false, requireSignedRequestObject: false },
      deviceFlow: {
        enabled: true,
        // Plain pages: the Go helper submits the form each page carries.
        async userCodeInputSource(ctx, form, _out, err) {
          const msg = err ? `<p class="error">${htmlEscape(err.name ?? 'error')}</p>` : '';
          ctx.body = page('Device sign-in', `${msg}${form}<button type="submit" form="op.deviceInputForm">Continue</button>`);
        },
        async userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          ctx.body = page('Confirm device', `<p>${htmlEscape(client.clientId)}: <code>${htmlEscape(userCode)}</code></p>${form}<button type="submit" form="op.deviceConfirmForm">Continue</button>`);
        },
        async successSource(ctx) {
          ctx.body = page('Device sign-in success', '<p id="device-success">You can close this page.</p>');
        },
      },
    },
    // Refresh tokens: issued when the grant holds offline_access (the
    // default rule, written out). oidc-provider drops offline_access from
    // an authorization request unless it also carries prompt=consent.
    async issueRefreshToken(_ctx, client, code) {
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
    },
    // PKCE (S256 only) is required for the public client and optional for
    // the confidential ones (oidc-provider 8 requires it of every client by
    // default).
    pkce: {
      methods: ['S256'],
      required: (_ctx, client) => client.clientAuthMethod === 'none',
    },
    // The public client gets a new refresh token on every use (and the old
    // one stops working); confidential clients keep theirs.
    rotateRefreshToken(ctx) {
      return ctx.oidc.client.clientAuthMethod === 'none';
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      ClientCredentials: 600,
      DeviceCode: 600,
      Grant: 14 * 24 * 3600,
      IdToken: 3600,
      Interaction: 3600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
    clientBasedCORS: () => false,
    // Error pages name the error so the Go helper can report it.
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', `<pre id="error">${htmlEscape(out.error)}: ${htmlEscape(out.error_description ?? '')}</pre>`);
    },
  });

  server.on('request', provider.callback());
  const registered = clients.map((c) => ({
    client_id: c.client_id,
    client_secret: c.client_secret ?? '',
    token_endpoint_auth_method: c.token_endpoint_auth_method,
    ...(privateJWKs[c.client_id] ? { private_jwk: privateJWKs[c.client_id] } : {}),
  }));
  process.stdout.write(`${JSON.stringify({ issuer, port: actual, clients: registered })}\n`);
});

exitOnStop(server);
