// Package clientauth holds the client authentication methods that sign a
// JWT per request (RFC 7523 §2.2, OpenID Connect Core §9): [PrivateKeyJWT]
// (private_key_jwt) and [ClientSecretJWT] (client_secret_jwt). Both
// implement [oauth2client.ClientAuth], so they authenticate every request
// that authenticates the client: token, device authorization, revocation
// and introspection. [Choose] picks the method from the server's
// discovered token_endpoint_auth_methods_supported and the key or secret
// the client holds.
package clientauth
