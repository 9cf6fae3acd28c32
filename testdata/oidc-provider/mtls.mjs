// mtls.mjs runs oidc-provider with its mTLS feature (RFC 8705: tls_client_auth,
// self_signed_tls_client_auth, certificate-bound access tokens) on 127.0.0.1
// for the Go tests in internal/oidcprovidertest (StartMTLS). It is a test
// fixture, not a deployment: accounts accept any login name with any
// password. It is separate from server.mjs so that the two configurations
// do not interfere.
//
// Usage: node mtls.mjs PORT DIR
//
// DIR holds PEM files the Go test wrote: server.crt and server.key (the
// HTTPS listener's certificate), ca.crt (the CA of tls_client_auth
// clients), pki.crt (the certificate of the tls_client_auth client, whose
// subject is registered) and self.crt (the self-signed certificate
// registered for the self_signed_tls_client_auth client).
//
// The issuer http://127.0.0.1:PORT serves discovery and authorization; an
// HTTPS listener on another port asks for client certificates
// (requestCert, without rejecting any at the handshake: the provider
// decides) and serves every endpoint, as discovery's mtls_endpoint_aliases
// say. When ready it prints one JSON line on stdout:
//   {"issuer":"http://127.0.0.1:PORT","mtls_url":"https://127.0.0.1:PORT2",
//    "clients":[{"client_id":...,"token_endpoint_auth_method":...},...]}
// It exits on SIGTERM or SIGINT, and when its standard input closes.

import {
  X509Certificate, createHash, generateKeyPairSync, randomBytes,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createTLSServer } from 'node:https';
import { join } from 'node:path';

import Provider from 'oidc-provider';

import { exitOnStop } from './lifecycle.mjs';

const port = Number.parseInt(process.argv[2] ?? '0', 10);
const dir = process.argv[3];
if (!Number.isInteger(port) || port < 0 || port > 65535 || !dir) {
  console.error('usage: node mtls.mjs PORT DIR');
  process.exit(2);
}
const pem = (name) => readFileSync(join(dir, name), 'utf8');

const redirectURIs = ['http://127.0.0.1/callback'];
const pki = new X509Certificate(pem('pki.crt'));
const self = new X509Certificate(pem('self.crt'));
const selfJWK = {
  ...self.publicKey.export({ format: 'jwk' }),
  x5c: [self.raw.toString('base64')],
  // oidc-provider matches the presented certificate by this member.
  'x5t#S256': createHash('sha256').update(self.raw).digest('base64url'),
  use: 'sig',
};

const common = {
  application_type: 'native',
  redirect_uris: redirectURIs,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  tls_client_certificate_bound_access_tokens: true,
};
const clients = [
  {
    ...common,
    client_id: 'mtls-pki',
    token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: pki.subject,
  },
  {
    ...common,
    client_id: 'mtls-self',
    token_endpoint_auth_method: 'self_signed_tls_client_auth',
    jwks: { keys: [selfJWK] },
  },
];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', use: 'sig', alg: 'RS256' };

// peerCertificate returns the certificate the request's TLS connection
// presented, or undefined (plain http, or none presented).
const peerCertificate = (ctx) => {
  const socket = ctx.req.socket;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const peer = socket.getPeerCertificate();
  if (!peer || !peer.raw) return undefined;
  return new X509Certificate(peer.raw);
};

const plain = createServer();
const tls = createTLSServer({
  cert: pem('server.crt'),
  key: pem('server.key'),
  ca: [pem('ca.crt')],
  requestCert: true,
  rejectUnauthorized: false,
});

plain.listen(port, '127.0.0.1', () => tls.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${plain.address().port}`;
  const mtlsURL = `https://127.0.0.1:${tls.address().port}`;

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    async findAccount(_ctx, sub) {
      return {
        accountId: sub,
        async claims() {
          return { sub, email: `${sub}@example.com`, email_verified: true, name: sub };
        },
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    discovery: {
      mtls_endpoint_aliases: {
        token_endpoint: `${mtlsURL}/token`,
        revocation_endpoint: `${mtlsURL}/token/revocation`,
        introspection_endpoint: `${mtlsURL}/token/introspection`,
        userinfo_endpoint: `${mtlsURL}/me`,
      },
    },
    features: {
      devInteractions: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      mTLS: {
        enabled: true,
        certificateBoundAccessTokens: true,
        tlsClientAuth: true,
        selfSignedTlsClientAuth: true,
        getCertificate: peerCertificate,
        // Verified at the handshake against ca.crt (rejectUnauthorized is
        // off, so the verdict is here).
        certificateAuthorized: (ctx) => ctx.req.socket.authorized === true,
        certificateSubjectMatches: (ctx, property, expected) => property === 'tls_client_auth_subject_dn'
          && peerCertificate(ctx)?.subject === expected,
      },
    },
    clientAuthMethods: ['none', 'client_secret_basic', 'client_secret_post', 'tls_client_auth', 'self_signed_tls_client_auth'],
    async issueRefreshToken(_ctx, client, code) {
      return client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access');
    },
    pkce: { methods: ['S256'], required: () => true },
    ttl: {
      AccessToken: 3600, AuthorizationCode: 60, Grant: 14 * 24 * 3600, IdToken: 3600,
      Interaction: 3600, RefreshToken: 14 * 24 * 3600, Session: 14 * 24 * 3600,
    },
    clientBasedCORS: () => false,
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = `<!DOCTYPE html><title>Error</title><pre id="error">${String(out.error).replace(/[&<>"']/g, '')}</pre>`;
    },
  });

  // Why a grant failed, on stderr (the Go test shows it when it fails).
  provider.on('grant.error', (_ctx, err) => console.error('grant.error:', err.error_detail ?? err.message));
  plain.on('request', provider.callback());
  tls.on('request', provider.callback());
  const registered = clients.map((c) => ({
    client_id: c.client_id,
    client_secret: '',
    token_endpoint_auth_method: c.token_endpoint_auth_method,
  }));
  process.stdout.write(`${JSON.stringify({ issuer, mtls_url: mtlsURL, port: plain.address().port, clients: registered })}\n`);
}));

exitOnStop(plain, tls);
