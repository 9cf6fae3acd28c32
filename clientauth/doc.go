// Package clientauth holds the client authentication methods that sign a
// JWT per request (RFC 7523 §2.2, OpenID Connect Core §9): [PrivateKeyJWT]
// (private_key_jwt) and [ClientSecretJWT] (client_secret_jwt). Both
// implement [oauth2client.ClientAuth], so they authenticate every request
// that authenticates the client: token, device authorization, revocation
// and introspection. [Choose] picks the method from the server's
// discovered token_endpoint_auth_methods_supported and the key or secret
// the client holds.
//
// [TLSClientAuth] is tls_client_auth and self_signed_tls_client_auth (RFC
// 8705 §2): the client presents a TLS client certificate, from PEM files
// ([LoadTLSClientAuth]) or a [crypto/tls.Certificate], on every request to
// the server's mtls_endpoint_aliases, and the access tokens the server
// binds to it (RFC 8705 §3) are presented with it to resource servers.
// Stored credentials remember the certificate ([RestoreTLSClientAuth]).
// [NewPublicTLSClient] is a public client presenting a certificate only to
// have its tokens bound to it.
package clientauth
