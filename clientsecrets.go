package oauth2client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Client types of a client_secrets.json file: its single top-level key.
const (
	// ClientTypeWeb is a confidential web application client.
	ClientTypeWeb = "web"
	// ClientTypeInstalled is an installed (native or desktop) application
	// client; its secret, if any, is not really secret (RFC 8252 §8.5).
	ClientTypeInstalled = "installed"
)

// maxClientSecretsSize bounds a client_secrets.json file; real ones are
// well under 1 KiB.
const maxClientSecretsSize = 64 << 10

// ClientSecrets is the content of a client_secrets.json file, as Google's
// API console and Python oauth2client's clientsecrets module define it:
//
//	{"installed": {"client_id": "...", "client_secret": "...",
//	  "auth_uri": "...", "token_uri": "...", "redirect_uris": ["..."]}}
type ClientSecrets struct {
	// Type is ClientTypeWeb or ClientTypeInstalled.
	Type string
	// ClientID identifies the client.
	ClientID string
	// ClientSecret authenticates the client; it may be empty for a public
	// installed client.
	ClientSecret string
	// AuthURI is the authorization endpoint.
	AuthURI string
	// TokenURI is the token endpoint.
	TokenURI string
	// RedirectURIs are the registered redirect URIs.
	RedirectURIs []string
	// RevokeURI is the revocation endpoint, if the file names one.
	RevokeURI string
	// TokenInfoURI is the token-info endpoint, if the file names one.
	TokenInfoURI string
	// Issuer is the authorization server's issuer identifier, if the file
	// names one in an "issuer" field (an extension: Google's files have
	// none, and Python oauth2client ignores it). It is what the RFC 9207
	// "iss" parameter of a callback must equal; see [Flow.ExchangeCallback].
	Issuer string
}

// ClientSecretsError reports a client_secrets.json file that cannot be
// used. Its message names the file and the field, e.g.
//
//	oauth2client: client secrets "cs.json": installed.client_id: missing
//
// and never quotes a secret.
type ClientSecretsError struct {
	// Name is the file's name, as given to the function that read it.
	Name string
	// Field is the JSON path of the offending field, e.g.
	// "installed.client_id"; empty when the file as a whole is at fault.
	Field string
	// Reason says what is wrong, e.g. "missing".
	Reason string
	// Err is the underlying cause, such as an *os.PathError or a JSON
	// syntax error, if any.
	Err error
}

// Error returns the message described at [ClientSecretsError].
func (e *ClientSecretsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "oauth2client: client secrets %q: ", e.Name)
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the underlying cause.
func (e *ClientSecretsError) Unwrap() error { return e.Err }

// LoadClientSecrets reads and checks the client_secrets.json file at path.
// See [ParseClientSecrets] for the rules.
func LoadClientSecrets(path string) (*ClientSecrets, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ClientSecretsError{Name: path, Reason: "cannot open", Err: unwrapPathError(err)}
	}
	defer f.Close()
	return ReadClientSecrets(f, path)
}

// unwrapPathError drops the path from an *os.PathError, which the
// ClientSecretsError already names.
func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ReadClientSecrets reads a client_secrets.json document from r, at most
// 64 KiB, and checks it; name names it in errors. See [ParseClientSecrets].
func ReadClientSecrets(r io.Reader, name string) (*ClientSecrets, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxClientSecretsSize+1))
	if err != nil {
		return nil, &ClientSecretsError{Name: name, Reason: "cannot read", Err: unwrapPathError(err)}
	}
	if len(data) > maxClientSecretsSize {
		return nil, &ClientSecretsError{Name: name, Reason: fmt.Sprintf("larger than %d bytes", maxClientSecretsSize)}
	}
	return ParseClientSecrets(data, name)
}

// ParseClientSecrets parses and checks a client_secrets.json document;
// name names it in errors (a file name, or e.g. "$CLIENT_SECRETS").
//
// The document has exactly one top-level key, "web" or "installed". Under
// it, client_id, auth_uri, token_uri and redirect_uris are required and
// client_secret must be present (it may be empty for an installed client);
// revoke_uri, token_info_uri and issuer are optional; other fields are
// ignored. Placeholder values such as "[[INSERT CLIENT ID HERE]]" are
// rejected, and auth_uri, token_uri, revoke_uri, token_info_uri and issuer
// must be absolute http(s) URLs, the issuer without query or fragment.
// Errors are [*ClientSecretsError].
func ParseClientSecrets(data []byte, name string) (*ClientSecrets, error) {
	fail := func(field, reason string, err error) error {
		return &ClientSecretsError{Name: name, Field: field, Reason: reason, Err: err}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail("", "empty", nil)
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return nil, fail("", "not a JSON object", jsonSyntaxOnly(err))
	}
	var typ string
	for k := range top {
		if k != ClientTypeWeb && k != ClientTypeInstalled {
			return nil, fail("", fmt.Sprintf(`unexpected top-level key %q (want exactly one of "web", "installed")`, urlpolicy.Clip(k, 40)), nil)
		}
		typ = k
	}
	if len(top) != 1 {
		return nil, fail("", `want exactly one top-level key, "web" or "installed"`, nil)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(top[typ], &fields); err != nil || fields == nil {
		return nil, fail(typ, "not a JSON object", nil)
	}
	cs := &ClientSecrets{Type: typ}
	type stringField struct {
		key      string
		dst      *string
		required bool // present and non-empty
		present  bool // present, may be empty
		url      bool
	}
	for _, f := range []stringField{
		{key: "client_id", dst: &cs.ClientID, required: true},
		{key: "client_secret", dst: &cs.ClientSecret, required: typ == ClientTypeWeb, present: true},
		{key: "auth_uri", dst: &cs.AuthURI, required: true, url: true},
		{key: "token_uri", dst: &cs.TokenURI, required: true, url: true},
		{key: "revoke_uri", dst: &cs.RevokeURI, url: true},
		{key: "token_info_uri", dst: &cs.TokenInfoURI, url: true},
		{key: "issuer", dst: &cs.Issuer, url: true},
	} {
		path := typ + "." + f.key
		raw, ok := fields[f.key]
		if !ok || isJSONNull(raw) {
			if f.required || f.present {
				return nil, fail(path, "missing", nil)
			}
			continue
		}
		if err := json.Unmarshal(raw, f.dst); err != nil {
			return nil, fail(path, "must be a string, not "+rawJSONKind(raw), nil)
		}
		v := *f.dst
		switch {
		case v == "" && f.required:
			return nil, fail(path, "empty", nil)
		case isPlaceholder(v):
			return nil, fail(path, "is a placeholder; replace it with the real value", nil)
		case v != "" && f.url:
			if err := checkAbsoluteURL(v); err != nil {
				return nil, fail(path, err.Error(), nil)
			}
			if f.dst == &cs.Issuer && strings.ContainsAny(v, "?#") {
				return nil, fail(path, "must not have a query or fragment (RFC 8414 §2)", nil)
			}
		}
	}
	path := typ + ".redirect_uris"
	raw, ok := fields["redirect_uris"]
	if !ok || isJSONNull(raw) {
		return nil, fail(path, "missing", nil)
	}
	if err := json.Unmarshal(raw, &cs.RedirectURIs); err != nil {
		return nil, fail(path, "must be an array of strings, not "+rawJSONKind(raw), nil)
	}
	if len(cs.RedirectURIs) == 0 {
		return nil, fail(path, "empty", nil)
	}
	for i, u := range cs.RedirectURIs {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case u == "":
			return nil, fail(p, "empty", nil)
		case isPlaceholder(u):
			return nil, fail(p, "is a placeholder; replace it with the real value", nil)
		case !strings.Contains(u, ":"):
			return nil, fail(p, "not an absolute URI", nil)
		}
	}
	return cs, nil
}

// isPlaceholder reports whether v is a template placeholder such as
// "[[INSERT CLIENT ID HERE]]", as Python oauth2client rejects them.
func isPlaceholder(v string) bool {
	v = strings.TrimSpace(v)
	return strings.HasPrefix(v, "[[") && strings.HasSuffix(v, "]]")
}

// checkAbsoluteURL checks that s is an absolute http or https URL with a
// host. Whether plain http is acceptable is decided later, by [NewFlow].
func checkAbsoluteURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return errors.New("not an absolute http(s) URL")
	}
	return nil
}

// isJSONNull reports whether raw is the JSON literal null.
func isJSONNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// Endpoint returns the endpoint the file describes. Its issuer is the
// file's "issuer" field; without one, Google's when the file names one of
// Google's authorization or token endpoints, else unknown (see
// [Flow.ExchangeCallback] for what an unknown issuer means for the
// callback's "iss"). For a file naming one of Google's token endpoints,
// the other fields the file leaves out (revocation, token info, user info,
// JWKS, device authorization) are taken from [GoogleEndpoint], as Python
// oauth2client defaulted to Google's.
func (cs *ClientSecrets) Endpoint() Endpoint {
	e := Endpoint{
		Issuer:        cs.Issuer,
		AuthURL:       cs.AuthURI,
		TokenURL:      cs.TokenURI,
		RevocationURL: cs.RevokeURI,
		TokenInfoURL:  cs.TokenInfoURI,
	}
	e.Issuer = knownIssuer(e)
	if isGoogleTokenURL(cs.TokenURI) {
		g := GoogleEndpoint.clone()
		e.DeviceAuthURL = g.DeviceAuthURL
		e.UserInfoURL = g.UserInfoURL
		e.JWKSURL = g.JWKSURL
		e.TokenAuthMethods = g.TokenAuthMethods
		e.CodeChallengeMethods = g.CodeChallengeMethods
		e.ScopesSupported = g.ScopesSupported
		if e.RevocationURL == "" {
			e.RevocationURL = g.RevocationURL
		}
		if e.TokenInfoURL == "" {
			e.TokenInfoURL = g.TokenInfoURL
		}
	}
	return e
}

// Config returns a flow configuration for the client (Python's
// flow_from_clientsecrets), for use with [NewFlow]. An empty redirectURL
// means the file's first redirect URI. Set the other fields of the result
// (HTTPClient, AuthStyle, ...) as needed before calling NewFlow.
func (cs *ClientSecrets) Config(redirectURL string, scopes ...string) Config {
	if redirectURL == "" && len(cs.RedirectURIs) > 0 {
		redirectURL = cs.RedirectURIs[0]
	}
	return Config{
		ClientID:     cs.ClientID,
		ClientSecret: cs.ClientSecret,
		Endpoint:     cs.Endpoint(),
		RedirectURL:  redirectURL,
		Scopes:       slices.Clone(scopes),
	}
}
