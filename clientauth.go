package oauth2client

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
)

// ClientAuth is how a client proves itself to the endpoints of an
// authorization server: token, device authorization, revocation and
// introspection (RFC 6749 §2.3). It adds form fields and headers to each
// request, once per try, so a method that signs a fresh assertion per
// request (private_key_jwt, RFC 7523 §2.2) can be written outside this
// package. [AuthStyle.ClientAuth] returns the ready ones for client
// secrets and public clients.
//
// Client authentication by TLS certificate (RFC 8705 §2) is the optional
// interface [CertificateAuth] a ClientAuth also implements, as package
// clientauth's TLSClientAuth does.
//
// Implementations must be safe for concurrent use and must never put the
// secrets they hold in errors or in the text of String.
type ClientAuth interface {
	// Method is the OIDC token_endpoint_auth_method name of the method,
	// e.g. "client_secret_basic".
	Method() string
	// Authenticate adds the client's authentication to r's form and
	// header.
	Authenticate(ctx context.Context, r *ClientAuthRequest) error
}

// ClientAuthRequest is a request being authenticated by a [ClientAuth].
type ClientAuthRequest struct {
	// Endpoint names the endpoint: "token", "device authorization",
	// "revocation" or "introspection".
	Endpoint string
	// URL is the endpoint's URL, e.g. the audience of a client assertion.
	URL string
	// Issuer is the authorization server's issuer identifier when known,
	// else empty. It is empty for the requests of [Credentials], which
	// know no issuer, and of [RequestToken]: a ClientAuth that needs an
	// audience (a client assertion, RFC 7523 §3) should use URL, the
	// endpoint's URL, which RFC 7523 allows as the audience, when Issuer
	// is empty.
	Issuer string
	// ClientID identifies the client.
	ClientID string
	// Form is the request's form body, to add parameters to. It holds the
	// request's own parameters already, e.g. "grant_type".
	Form url.Values
	// Header is the request's header, to add headers to.
	Header http.Header
}

// ClientAuth returns the client authentication of style s for a client
// with secret: client_secret_basic (RFC 6749 §2.3.1: the id and secret
// are form-urlencoded, then sent as HTTP Basic credentials),
// client_secret_post, or none (only client_id, in the form).
// [AuthStyleAuto] picks none when secret is empty, else
// client_secret_basic; [Config] also looks at the endpoint's advertised
// methods. No choice costs a network round trip.
func (s AuthStyle) ClientAuth(secret string) ClientAuth {
	switch s.Resolve(secret, nil) {
	case AuthStyleBasic:
		return secretBasic{secret: secret}
	case AuthStylePost:
		return secretPost{secret: secret}
	}
	return noClientAuth{}
}

// secretBasic is client_secret_basic.
type secretBasic struct{ secret string }

// Method returns "client_secret_basic".
func (secretBasic) Method() string { return AuthStyleBasic.String() }

// String names the method, never the secret.
func (a secretBasic) String() string { return a.Method() }

// Authenticate sets the Authorization header.
func (a secretBasic) Authenticate(_ context.Context, r *ClientAuthRequest) error {
	// RFC 6749 §2.3.1: both are form-urlencoded before Basic encoding.
	cred := url.QueryEscape(r.ClientID) + ":" + url.QueryEscape(a.secret)
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(cred)))
	return nil
}

// secretPost is client_secret_post.
type secretPost struct{ secret string }

// Method returns "client_secret_post".
func (secretPost) Method() string { return AuthStylePost.String() }

// String names the method, never the secret.
func (a secretPost) String() string { return a.Method() }

// Authenticate adds client_id and client_secret to the form.
func (a secretPost) Authenticate(_ context.Context, r *ClientAuthRequest) error {
	r.Form.Set("client_id", r.ClientID)
	r.Form.Set("client_secret", a.secret)
	return nil
}

// noClientAuth is the "none" method of public clients.
type noClientAuth struct{}

// Method returns "none".
func (noClientAuth) Method() string { return AuthStyleNone.String() }

// String returns "none".
func (a noClientAuth) String() string { return a.Method() }

// Authenticate adds client_id to the form, when there is one.
func (noClientAuth) Authenticate(_ context.Context, r *ClientAuthRequest) error {
	if r.ClientID != "" {
		r.Form.Set("client_id", r.ClientID)
	}
	return nil
}
