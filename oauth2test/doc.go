// Package oauth2test runs an OAuth 2.0 authorization server and OpenID
// Provider in-process, for tests and local development. It is shaped like
// [net/http/httptest]: [NewServer] starts a real HTTP server on a loopback
// address, [Server.URL] is its issuer, [Server.Client] talks to it and
// [Server.Close] stops it.
//
// It is a test and development tool, not an authorization server to deploy:
// state lives in memory, any user name is accepted without a password, and
// it only ever listens on 127.0.0.1, [::1] or localhost.
//
// # Endpoints
//
// Relative to [Server.URL]:
//
//   - [PathOIDCConfig] and [PathOAuthConfig]: discovery metadata (OpenID
//     Connect Discovery 1.0, RFC 8414), the same document at both.
//   - [PathJWKS]: the RSA public key that signs ID tokens (RS256), generated
//     when the server starts.
//   - [PathAuthorize]: the authorization endpoint (RFC 6749 §4.1). It shows
//     an HTML consent page with Allow and Deny buttons and a user name, or
//     approves at once with [Options].AutoApprove. An unknown client or
//     redirect URI is shown as an error page and never redirected; other
//     errors are redirected to the client (§4.1.2.1). Responses carry the
//     issuer in "iss" (RFC 9207). PKCE (RFC 7636, S256 and plain) is checked
//     and required of public clients.
//   - [PathToken]: the token endpoint for the authorization_code,
//     refresh_token (with optional rotation, [Options].RotateRefreshTokens)
//     client_credentials, device_code and JWT-bearer (RFC 7523) grants.
//     Codes are single-use; ID tokens are issued when the openid scope was
//     granted. JWT-bearer assertions must be signed by a key of a service
//     account registered with [Server.RegisterServiceAccount] or
//     [Server.AddServiceAccountKey], with aud the token endpoint, exp at most
//     [MaxAssertionLifetime] ahead; sub names the user of domain-wide
//     delegation. An assertion with a "target_audience" claim gets, as
//     from Google, only {"id_token": ...}: the account's ID token for that
//     audience, signed with the server's key (verifiable against
//     [PathJWKS]).
//     A request with a DPoP proof (RFC 9449) gets tokens of type DPoP bound
//     to the proof's key (cnf.jkt in introspection); the proof's signature,
//     typ, htm, htu, iat (±1 minute), jti (no replay) and, with
//     [Options].DPoPNonce, the server's nonce are checked; a DPoP-bound
//     refresh token, or a code whose request named dpop_jkt, needs a proof
//     by the same key.
//   - [PathDeviceCode]: the device authorization endpoint (RFC 8628), and
//     [PathDevice], the verification page where a person enters the user
//     code and allows or denies the device; [Options].AutoApprove approves
//     device codes at once and [Server.ApproveDevice] / [Server.DenyDevice]
//     decide without a browser. The token endpoint answers the device_code
//     grant with authorization_pending, slow_down (polled faster than
//     [Options].DeviceInterval), expired_token (after CodeTTL) and
//     access_denied.
//   - [PathRevoke]: revocation (RFC 7009), also accepting Google's ?token=.
//     Revoking a refresh token revokes the access tokens issued with it.
//   - [PathTokenInfo]: Google-style token info for an access_token.
//   - [PathIntrospect]: introspection (RFC 7662), with client
//     authentication.
//   - [PathUserInfo]: OpenID Connect UserInfo, for a bearer token with the
//     openid scope.
//   - [PathCalendarList]: a protected sample API answering like Google
//     Calendar's calendarList.list for the bearer token's user. Here and at
//     UserInfo a DPoP-bound token must come as "Authorization: DPoP" with a
//     proof by its key naming it (ath); failures get a DPoP challenge.
//   - With [Options].MTLS, every endpoint is also served over HTTPS at
//     [Server.MTLSURL], on a listener asking for TLS client certificates
//     (RFC 8705), which discovery lists in mtls_endpoint_aliases.
//     tls_client_auth ([Options].ClientCAs and [Client].TLSSubject) and
//     self_signed_tls_client_auth ([Client].TLSCertificates) authenticate
//     clients there; a token requested with a certificate is bound to it
//     (cnf.x5t#S256 in introspection), and UserInfo and the sample API
//     answer 401 invalid_token to it from a connection without that
//     certificate; a public client's refresh tokens are bound to it too
//     (RFC 8705 §4). Counters: oauth2test_mtls_total{outcome="..."} and
//     oauth2test_mtls_handshakes_total.
//   - [PathIAMServiceAccounts]: the IAM Credentials API's
//     generateAccessToken and generateIdToken for any service account
//     email, and signBlob for an account registered with
//     [Server.RegisterServiceAccount], for a caller with a bearer token of
//     this server; [Server.URL] is then the API's base URL.
//   - With [Options].Metadata, a GCE metadata server emulation, reached
//     through GCE_METADATA_HOST=HOST:PORT: the root, [PathMetadataProjectID]
//     and, under [PathMetadataServiceAccounts] for "default" or
//     [MetadataServiceAccount], token (with ?scopes=), identity
//     (?audience=), email and scopes. Requests without
//     "Metadata-Flavor: Google" get 403; every answer carries the header.
//   - [PathMetrics]: counters in the Prometheus text format, among them
//     oauth2test_token_requests_total{grant_type="..."}, labelled with the
//     grant_type parameter exactly as received.
//
// # Clients and users
//
// Register clients with [Server.RegisterClient] or [Options].Clients; each
// authenticates with client_secret_basic, client_secret_post or none
// ([Client].AuthMethod). Loopback redirect URIs match any port (RFC 8252
// §7.3). [Server.ClientSecretsJSON] writes a client_secrets.json for a
// client. Users need no registration: a user named "bob" has subject "bob"
// and email bob@example.com. The default user is [DefaultUser], "alice".
//
// # Time, faults and counters
//
// Tokens expire after [Options].TokenTTL on the clock [Options].Now, which
// [Server.Advance] moves forward; [Server.ExpireAll] expires every access
// token at once. [Server.MintToken] issues tokens without a browser.
// [Server.InjectFault] makes an endpoint slow, fail with a status or an
// OAuth error such as invalid_grant, or answer a malformed or oversized
// body. [Server.TokenRequests] and [Server.Requests] count requests.
package oauth2test
