package oauth2client

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// googleAuthURLs are the authorization endpoints Google has published over
// time, as found in client_secrets.json files.
var googleAuthURLs = []string{
	"https://accounts.google.com/o/oauth2/v2/auth",
	"https://accounts.google.com/o/oauth2/auth",
}

// knownIssuer returns the issuer expected of e's authorization responses:
// e.Issuer, or, when that is empty and e's authorization or token endpoint
// is one of Google's, Google's issuer; empty when it cannot be known.
func knownIssuer(e Endpoint) string {
	if e.Issuer == "" && (slices.Contains(googleAuthURLs, e.AuthURL) || isGoogleTokenURL(e.TokenURL)) {
		return GoogleEndpoint.Issuer
	}
	return e.Issuer
}

// checkCallbackIssuer is the mix-up defence (RFC 9207, RFC 9700 §4.4) for
// the "iss" parameter of a callback (hasIss: whether there was one) to an
// authorization started at e; see [Flow.ExchangeCallback] for the rule.
func checkCallbackIssuer(e Endpoint, iss string, hasIss bool) error {
	switch {
	case hasIss && e.Issuer != "" && iss != e.Issuer:
		return fmt.Errorf("oauth2client: callback: iss %q is not the issuer %q: %w",
			urlpolicy.Clip(iss, 200), e.Issuer, ErrIssuerMismatch)
	case hasIss && e.Issuer == "" && !issuerOfAuthURL(iss, e.AuthURL):
		return fmt.Errorf("oauth2client: callback: iss %q cannot be checked: the issuer is unknown and iss is not "+
			"the origin (or a leading path) of Endpoint.AuthURL; set Config.Endpoint.Issuer, or the \"issuer\" "+
			"field of client_secrets.json, to the issuer expected: %w",
			urlpolicy.Clip(iss, 200), ErrIssuerMismatch)
	case !hasIss && e.ResponseIssParameter:
		return fmt.Errorf("oauth2client: callback: no iss parameter, which issuer %q always sends (RFC 9207): %w",
			e.Issuer, ErrIssuerMismatch)
	}
	return nil
}

// issuerOfAuthURL reports whether iss can be tied to the authorization
// endpoint authURL: an https URL (or http to a loopback host) without user
// information, query or fragment, with authURL's scheme, host and port,
// whose path is empty, authURL's path, or a leading run of its segments
// (issuer https://login.example/tenant for
// https://login.example/tenant/oauth2/authorize).
func issuerOfAuthURL(iss, authURL string) bool {
	u, err := url.Parse(iss)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.ForceQuery ||
		strings.Contains(iss, "#") || !urlpolicy.Secure(u) {
		return false
	}
	a, err := url.Parse(authURL)
	if err != nil || origin(u) != origin(a) {
		return false
	}
	p, ap := strings.TrimSuffix(u.EscapedPath(), "/"), a.EscapedPath()
	return p == "" || ap == p || strings.HasPrefix(ap, p+"/")
}
