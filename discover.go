package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// DiscoverOptions configures [Discover]. A nil *DiscoverOptions means the
// defaults.
type DiscoverOptions struct {
	// HTTPClient fetches the metadata; nil means a client with the limits
	// [DefaultDialTimeout], [DefaultTLSHandshakeTimeout],
	// [DefaultResponseHeaderTimeout] and [DefaultRequestTimeout].
	// Redirects are never followed.
	HTTPClient *http.Client
	// Logger receives debug records of the requests; nil means none.
	Logger *slog.Logger
}

// Well-known metadata paths.
const (
	oidcConfigPath  = "/.well-known/openid-configuration"       // OIDC Discovery §4
	oauthConfigPath = "/.well-known/oauth-authorization-server" // RFC 8414 §3
)

// Discover reads the metadata of the authorization server issuer and
// returns its endpoint.
//
// It fetches issuer + "/.well-known/openid-configuration" (OIDC Discovery
// §4; a trailing "/" of issuer is removed first). If that answers 404 it
// tries RFC 8414's "/.well-known/oauth-authorization-server", inserted
// between the host and the path of issuer (RFC 8414 §3) and then, for an
// issuer with a path, appended to it as some servers publish it.
//
// The document's "issuer" must equal issuer exactly ([ErrIssuerMismatch]),
// it must name an authorization_endpoint and a token_endpoint, and issuer
// and every endpoint URL must use https, or http on a loopback host
// ("localhost", 127.0.0.0/8, ::1) only. The body is read up to
// [MaxResponseBody], and redirects are not followed. Errors name the document's URL and the faulty field.
func Discover(ctx context.Context, issuer string, opts *DiscoverOptions) (*Endpoint, error) {
	if opts == nil {
		opts = &DiscoverOptions{}
	}
	if err := checkIssuer(issuer); err != nil {
		return nil, fmt.Errorf("oauth2client: discover: issuer %q: %w", urlpolicy.Clip(urlpolicy.RedactURL(issuer), 200), err)
	}
	var lastErr error
	for _, u := range discoveryURLs(issuer) {
		body, status, err := fetchMetadata(ctx, opts, u)
		if err != nil {
			return nil, fmt.Errorf("oauth2client: discover: %s: %w", u, err)
		}
		if status == http.StatusNotFound {
			lastErr = fmt.Errorf("oauth2client: discover: %s: HTTP 404", u)
			continue
		}
		if status != http.StatusOK {
			return nil, fmt.Errorf("oauth2client: discover: %s: HTTP %d", u, status)
		}
		e, err := parseDiscoveryDocument(body, issuer)
		if err != nil {
			return nil, fmt.Errorf("oauth2client: discover: %s: %w", u, err)
		}
		return e, nil
	}
	return nil, fmt.Errorf("%w (no metadata at any well-known URL)", lastErr)
}

// checkIssuer checks an issuer identifier: an endpoint URL (see
// checkEndpointURL) without query (OIDC Discovery §3, RFC 8414 §2).
func checkIssuer(issuer string) error {
	if err := urlpolicy.CheckEndpoint(issuer); err != nil {
		return err
	}
	if strings.Contains(issuer, "?") {
		return errors.New("must not have a query")
	}
	return nil
}

// discoveryURLs lists the metadata URLs to try for issuer, in order.
func discoveryURLs(issuer string) []string {
	trimmed := strings.TrimSuffix(issuer, "/")
	urls := []string{trimmed + oidcConfigPath}
	u, err := url.Parse(trimmed)
	if err != nil {
		return urls
	}
	path := u.EscapedPath()
	inserted := *u
	inserted.RawPath = ""
	inserted.Path = ""
	urls = append(urls, inserted.String()+oauthConfigPath+path)
	if path != "" {
		urls = append(urls, trimmed+oauthConfigPath)
	}
	return urls
}

// fetchMetadata GETs a metadata document, reading at most MaxResponseBody.
func fetchMetadata(ctx context.Context, opts *DiscoverOptions, u string) ([]byte, int, error) {
	resp, err := oauthhttp.Do(ctx, &oauthhttp.Request{
		Endpoint: "discovery", Field: "issuer", URL: u, Client: opts.HTTPClient, Logger: opts.Logger,
	})
	switch {
	case errors.Is(err, oauthhttp.ErrBodyTooLarge):
		return nil, resp.StatusCode, errBodyTooLarge
	case err != nil:
		return nil, 0, err
	}
	return resp.Body, resp.StatusCode, nil
}

// parseDiscoveryDocument parses OIDC Discovery or RFC 8414 metadata and
// checks it against the expected issuer. Errors wrap ErrMalformedResponse,
// or ErrIssuerMismatch.
func parseDiscoveryDocument(body []byte, issuer string) (*Endpoint, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(body, &doc); err != nil || doc == nil {
		return nil, fmt.Errorf("%w: metadata is not a JSON object", ErrMalformedResponse)
	}
	str := func(name string, dst *string) error {
		raw, ok := doc[name]
		if !ok || isJSONNull(raw) {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("%w: field %q is %s, want a string", ErrMalformedResponse, name, rawJSONKind(raw))
		}
		return nil
	}
	strs := func(name string, dst *[]string) error {
		raw, ok := doc[name]
		if !ok || isJSONNull(raw) {
			return nil
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return fmt.Errorf("%w: field %q is %s, want an array of strings", ErrMalformedResponse, name, rawJSONKind(raw))
		}
		return nil
	}
	e := &Endpoint{}
	var iss string
	fields := []struct {
		name string
		dst  *string
		url  bool
	}{
		{"issuer", &iss, false},
		{"authorization_endpoint", &e.AuthURL, true},
		{"token_endpoint", &e.TokenURL, true},
		{"device_authorization_endpoint", &e.DeviceAuthURL, true},
		{"revocation_endpoint", &e.RevocationURL, true},
		{"introspection_endpoint", &e.IntrospectionURL, true},
		{"userinfo_endpoint", &e.UserInfoURL, true},
		{"jwks_uri", &e.JWKSURL, true},
		{"pushed_authorization_request_endpoint", &e.PushedAuthURL, true},
		{"end_session_endpoint", &e.EndSessionURL, true},
	}
	for _, f := range fields {
		if err := str(f.name, f.dst); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		dst  *[]string
	}{
		{"token_endpoint_auth_methods_supported", &e.TokenAuthMethods},
		{"introspection_endpoint_auth_methods_supported", &e.IntrospectionAuthMethods},
		{"code_challenge_methods_supported", &e.CodeChallengeMethods},
		{"scopes_supported", &e.ScopesSupported},
		{"dpop_signing_alg_values_supported", &e.DPoPSigningAlgs},
	} {
		if err := strs(f.name, f.dst); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct {
		name string
		dst  *bool
	}{
		{"authorization_response_iss_parameter_supported", &e.ResponseIssParameter},
		{"require_pushed_authorization_requests", &e.RequirePAR},
		{"tls_client_certificate_bound_access_tokens", &e.CertificateBoundTokens},
	} {
		if raw, ok := doc[f.name]; ok && !isJSONNull(raw) {
			if err := json.Unmarshal(raw, f.dst); err != nil {
				return nil, fmt.Errorf("%w: field %q is %s, want a boolean", ErrMalformedResponse, f.name, rawJSONKind(raw))
			}
		}
	}
	if err := parseMTLSAliases(doc, e); err != nil {
		return nil, err
	}
	if iss == "" {
		return nil, fmt.Errorf("%w: field \"issuer\" is missing", ErrMalformedResponse)
	}
	if iss != issuer {
		return nil, fmt.Errorf("metadata issuer %q is not %q: %w", urlpolicy.Clip(iss, 200), issuer, ErrIssuerMismatch)
	}
	e.Issuer = iss
	for _, f := range fields[1:] {
		v := *f.dst
		if v == "" {
			if f.name == "authorization_endpoint" || f.name == "token_endpoint" {
				return nil, fmt.Errorf("%w: field %q is missing", ErrMalformedResponse, f.name)
			}
			continue
		}
		if err := urlpolicy.CheckEndpoint(v); err != nil {
			return nil, fmt.Errorf("%w: field %q: %v", ErrMalformedResponse, f.name, err)
		}
	}
	if iss == GoogleEndpoint.Issuer {
		e.TokenInfoURL = GoogleEndpoint.TokenInfoURL // not part of any metadata standard
	}
	return e, nil
}
