package oauth2client

import "maps"

// Endpoint describes an authorization server: its issuer, the URLs of its
// endpoints and what it supports. [Discover] fills one from the server's
// metadata (OIDC Discovery, RFC 8414); [GoogleEndpoint] is Google's.
// Empty fields mean the server has no such endpoint, or it is unknown.
type Endpoint struct {
	// Issuer identifies the server (OIDC Discovery §3, RFC 8414 §2); it is
	// compared with the RFC 9207 "iss" parameter of authorization responses.
	// Set it whenever it is known: without it, a callback's iss is accepted
	// only if it is AuthURL's origin or a leading path of it (see
	// [Flow.ExchangeCallback]).
	Issuer string
	// AuthURL is the authorization endpoint (RFC 6749 §3.1).
	AuthURL string
	// TokenURL is the token endpoint (RFC 6749 §3.2).
	TokenURL string
	// DeviceAuthURL is the device authorization endpoint (RFC 8628 §3.1).
	DeviceAuthURL string
	// RevocationURL is the token revocation endpoint (RFC 7009).
	RevocationURL string
	// IntrospectionURL is the token introspection endpoint (RFC 7662).
	IntrospectionURL string
	// TokenInfoURL is Google's token-info endpoint, which tells the scopes
	// and expiry of an access token.
	TokenInfoURL string
	// UserInfoURL is the OIDC UserInfo endpoint (OIDC Core §5.3).
	UserInfoURL string
	// JWKSURL is where the server publishes its signing keys (RFC 7517).
	JWKSURL string
	// PushedAuthURL is the pushed authorization request endpoint (RFC
	// 9126), used when [Config].PAR or RequirePAR is set.
	PushedAuthURL string
	// EndSessionURL is the OIDC RP-initiated logout endpoint (OpenID
	// Connect RP-Initiated Logout 1.0 §2); see [Endpoint.LogoutURL].
	EndSessionURL string

	// TokenAuthMethods are the client authentication methods the token
	// endpoint accepts, e.g. "client_secret_basic", "client_secret_post",
	// "none". [AuthStyleAuto] chooses among them; nil means unknown.
	TokenAuthMethods []string
	// IntrospectionAuthMethods are the client authentication methods the
	// introspection endpoint accepts (RFC 8414
	// introspection_endpoint_auth_methods_supported); nil means unknown.
	IntrospectionAuthMethods []string
	// CodeChallengeMethods are the PKCE methods supported (RFC 7636),
	// e.g. "S256"; nil means unknown.
	CodeChallengeMethods []string
	// ScopesSupported are the scopes the server advertises; nil means unknown.
	ScopesSupported []string
	// ResponseIssParameter reports whether the server sends "iss" with every
	// authorization response (RFC 9207). When true, a callback without
	// "iss" is rejected.
	ResponseIssParameter bool
	// RequirePAR reports that the server accepts only pushed authorization
	// requests (RFC 9126 §5, require_pushed_authorization_requests); a
	// [Flow] then pushes whatever [Config].PAR says.
	RequirePAR bool
	// DPoPSigningAlgs are the DPoP proof algorithms the server accepts
	// (RFC 9449 §5.1, dpop_signing_alg_values_supported); a non-empty
	// list means the server supports DPoP (see [DPoPAuto]). Nil means
	// unknown.
	DPoPSigningAlgs []string
	// MTLSEndpointAliases are the endpoints to use with mutual TLS (RFC
	// 8705 §5, mtls_endpoint_aliases), by metadata name, e.g.
	// "token_endpoint"; nil means none. See [Endpoint.MTLS].
	MTLSEndpointAliases map[string]string
	// CertificateBoundTokens reports that the server binds access tokens
	// to the client's TLS certificate (RFC 8705 §3,
	// tls_client_certificate_bound_access_tokens).
	CertificateBoundTokens bool
}

// GoogleEndpoint is Google's authorization server, as its discovery
// document at https://accounts.google.com/.well-known/openid-configuration
// describes it, plus its token-info endpoint.
var GoogleEndpoint = Endpoint{
	Issuer:               "https://accounts.google.com",
	AuthURL:              "https://accounts.google.com/o/oauth2/v2/auth",
	TokenURL:             "https://oauth2.googleapis.com/token",
	DeviceAuthURL:        "https://oauth2.googleapis.com/device/code",
	RevocationURL:        "https://oauth2.googleapis.com/revoke",
	TokenInfoURL:         "https://oauth2.googleapis.com/tokeninfo",
	UserInfoURL:          "https://openidconnect.googleapis.com/v1/userinfo",
	JWKSURL:              "https://www.googleapis.com/oauth2/v3/certs",
	TokenAuthMethods:     []string{"client_secret_post", "client_secret_basic"},
	CodeChallengeMethods: []string{"plain", "S256"},
	ScopesSupported:      []string{"openid", "email", "profile"},
}

// googleTokenURLs are the token endpoints Google has published over time,
// as found in client_secrets.json files.
var googleTokenURLs = []string{
	"https://oauth2.googleapis.com/token",
	"https://accounts.google.com/o/oauth2/token",
	"https://www.googleapis.com/oauth2/v4/token",
}

// isGoogleTokenURL reports whether u is one of Google's token endpoints.
func isGoogleTokenURL(u string) bool {
	for _, g := range googleTokenURLs {
		if u == g {
			return true
		}
	}
	return false
}

// clone returns a copy of e whose slices are not shared with e.
func (e Endpoint) clone() Endpoint {
	e.TokenAuthMethods = append([]string(nil), e.TokenAuthMethods...)
	e.IntrospectionAuthMethods = append([]string(nil), e.IntrospectionAuthMethods...)
	e.CodeChallengeMethods = append([]string(nil), e.CodeChallengeMethods...)
	e.ScopesSupported = append([]string(nil), e.ScopesSupported...)
	e.DPoPSigningAlgs = append([]string(nil), e.DPoPSigningAlgs...)
	if len(e.TokenAuthMethods) == 0 {
		e.TokenAuthMethods = nil
	}
	if len(e.IntrospectionAuthMethods) == 0 {
		e.IntrospectionAuthMethods = nil
	}
	if len(e.CodeChallengeMethods) == 0 {
		e.CodeChallengeMethods = nil
	}
	e.MTLSEndpointAliases = maps.Clone(e.MTLSEndpointAliases)
	if len(e.ScopesSupported) == 0 {
		e.ScopesSupported = nil
	}
	if len(e.DPoPSigningAlgs) == 0 {
		e.DPoPSigningAlgs = nil
	}
	return e
}
