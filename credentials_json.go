package oauth2client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// MaxCredentialsJSON bounds the size of the credentials JSON that
// [ParseCredentialsJSON] accepts.
const MaxCredentialsJSON = 1 << 20

// pythonExpiryLayout is oauth2client's EXPIRY_FORMAT, "%Y-%m-%dT%H:%M:%SZ",
// in naive UTC.
const pythonExpiryLayout = "2006-01-02T15:04:05Z"

// pythonExpiryLenient accepts what Python's strptime accepts for
// EXPIRY_FORMAT: one- or two-digit month, day, hour, minute and second.
const pythonExpiryLenient = "2006-1-2T15:4:5Z"

// The Python classes credentials JSON can name.
const (
	classOAuth2      = "OAuth2Credentials"
	classGoogle      = "GoogleCredentials"
	classAccessToken = "AccessTokenCredentials"
	moduleClient     = "oauth2client.client"
)

// pyClass is the Python class ("_class") and module ("_module") of
// credentials read from JSON, written back as read.
type pyClass struct {
	name, module string
}

// orDefault returns p, or OAuth2Credentials when p is unset.
func (p pyClass) orDefault() pyClass {
	if p.name == "" {
		p.name = classOAuth2
	}
	if p.module == "" {
		p.module = moduleClient
	}
	return p
}

// credentialsJSON is the JSON of Python oauth2client's
// OAuth2Credentials.to_json, in its field order, plus fields of ours that
// Python's from_json ignores.
type credentialsJSON struct {
	AccessToken   *string        `json:"access_token"`
	ClientID      *string        `json:"client_id"`
	ClientSecret  *string        `json:"client_secret"`
	RefreshToken  *string        `json:"refresh_token"`
	TokenExpiry   *string        `json:"token_expiry"`
	TokenURI      *string        `json:"token_uri"`
	UserAgent     *string        `json:"user_agent"`
	RevokeURI     *string        `json:"revoke_uri"`
	IDToken       map[string]any `json:"id_token"`
	IDTokenJWT    *string        `json:"id_token_jwt"`
	TokenResponse map[string]any `json:"token_response"`
	Scopes        []string       `json:"scopes"`
	TokenInfoURI  *string        `json:"token_info_uri"`
	Invalid       bool           `json:"invalid"`
	Class         string         `json:"_class"`
	Module        string         `json:"_module"`

	// Ours; Python ignores them (and drops them when it rewrites a file).
	IntrospectionURI string `json:"introspection_uri,omitempty"`
	AuthStyle        string `json:"auth_style,omitempty"`
	// Extensions are the named extension fields of [CredentialsState].
	Extensions map[string]json.RawMessage `json:"extensions,omitempty"`
}

// MarshalJSON writes c in the format of Python oauth2client's
// OAuth2Credentials.to_json (the format of oauth2client.file.Storage), so
// Python's Credentials.new_from_json reads it: token_expiry is naive UTC
// "%Y-%m-%dT%H:%M:%SZ" or null, id_token the decoded claims, token_response
// the full token response, and _class / _module as they were read
// (OAuth2Credentials by default). The introspection URI and auth style, when
// set, are written as extra fields "introspection_uri" and "auth_style",
// and extension fields (see [CredentialsState]) under "extensions", all of
// which Python ignores. The HTTP client and cache options are not written.
// It writes c.State().
func (c *Credentials) MarshalJSON() ([]byte, error) {
	return c.State().MarshalJSON()
}

// toJSON returns the JSON object of s.
func (s *CredentialsState) toJSON() credentialsJSON {
	tok, claims, class := s.Token, s.IDTokenClaims, s.pyClass().orDefault()
	if tok == nil {
		tok = &Token{}
	}
	if claims == nil && tok.IDToken != "" {
		claims = decodeIDTokenClaims(tok.IDToken)
	}
	// Python sends client_id and client_secret in a form, where None would
	// become "None": write "" for them, null for the other absent strings.
	// AccessTokenCredentials have no client, and Python writes null.
	str := func(s string) *string { return &s }
	clientStr := str
	if class.name == classAccessToken {
		clientStr = nullable
	}
	v := credentialsJSON{
		AccessToken:      nullable(tok.AccessToken),
		ClientID:         clientStr(s.ClientID),
		ClientSecret:     clientStr(s.ClientSecret),
		RefreshToken:     nullable(tok.RefreshToken),
		TokenURI:         nullable(s.TokenURI),
		UserAgent:        nullable(s.UserAgent),
		RevokeURI:        nullable(s.RevokeURI),
		IDToken:          claims,
		IDTokenJWT:       nullable(tok.IDToken),
		TokenResponse:    tok.Raw,
		Scopes:           s.EffectiveScopes(),
		TokenInfoURI:     nullable(s.TokenInfoURI),
		Invalid:          s.Invalid,
		Class:            class.name,
		Module:           class.module,
		IntrospectionURI: s.IntrospectionURI,
		Extensions:       s.Extensions,
	}
	if !tok.Expiry.IsZero() {
		v.TokenExpiry = str(tok.Expiry.UTC().Format(pythonExpiryLayout))
	}
	if v.Scopes == nil {
		v.Scopes = []string{} // Python writes a list, never null
	}
	if s.AuthStyle != AuthStyleAuto {
		v.AuthStyle = s.AuthStyle.String()
	}
	return v
}

// EffectiveScopes returns the scopes granted, as [Credentials.Scopes]
// does: GrantedScopes if set, else those the token endpoint named
// (Token.Scopes), else the scopes requested. The slice is s's own.
func (s *CredentialsState) EffectiveScopes() []string {
	if s.GrantedScopes != nil {
		return s.GrantedScopes
	}
	if s.Token != nil && s.Token.Scopes != nil {
		return s.Token.Scopes
	}
	return s.Scopes
}

// nullable returns nil for "", else a pointer to s.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// UnmarshalJSON reads credentials JSON as [ParseCredentialsJSON] does,
// replacing c's token, state and configuration but keeping c's HTTP client,
// cache options, store binding and listeners. It must not run concurrently
// with other methods of c; its usual use is on a new, zero Credentials.
func (c *Credentials) UnmarshalJSON(data []byte) error {
	p, err := parseCredentialsState(data)
	if err != nil {
		return err
	}
	n := p.Credentials(c.cfg)
	c.mu.Lock()
	listeners := c.listeners
	c.mu.Unlock()
	c.init(n.cfg, p.Token)
	c.mu.Lock()
	c.idClaims, c.invalid, c.granted, c.class, c.ext = n.idClaims, n.invalid, n.granted, n.class, n.ext
	c.revoked, c.unsaved, c.keyErr = false, nil, n.keyErr
	c.listeners = listeners
	c.mu.Unlock()
	return nil
}

// ParseCredentialsJSON reads credentials written by Python oauth2client's
// to_json (oauth2client.file.Storage and its multi-credential stores) or by
// [Credentials.MarshalJSON]. It reads the classes OAuth2Credentials,
// GoogleCredentials and AccessTokenCredentials and remembers which one it
// read, to write it back the same way; service account classes are an error
// ([github.com/oauth2client/oauth2client/serviceaccount.ParsePythonJSON]
// reads them).
//
// As in Python, the fields access_token, client_id, client_secret,
// refresh_token, token_expiry, token_uri, user_agent and invalid must be
// present (only access_token and user_agent for AccessTokenCredentials), and
// an unparseable token_expiry means no expiry. A field of the wrong JSON type
// is an error naming it. data is at most [MaxCredentialsJSON] bytes. Errors
// never quote token or secret values.
func ParseCredentialsJSON(data []byte) (*Credentials, error) {
	s, err := parseCredentialsState(data)
	if err != nil {
		return nil, err
	}
	return s.Credentials(CredentialsConfig{}), nil
}

// parseCredentialsState reads credentials JSON (see [ParseCredentialsJSON]).
func parseCredentialsState(data []byte) (*CredentialsState, error) {
	if len(data) > MaxCredentialsJSON {
		return nil, fmt.Errorf("oauth2client: credentials JSON exceeds %d bytes", MaxCredentialsJSON)
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("oauth2client: credentials JSON is not a JSON object: %w", jsonSyntaxOnly(err))
	}
	r := credReader{fields: fields}

	class := pyClass{name: r.str("_class"), module: r.str("_module")}
	if r.err != nil {
		return nil, r.err
	}
	switch {
	case class.name == "ServiceAccountCredentials" || class.name == "_JWTAccessCredentials" ||
		strings.HasSuffix(class.module, ".service_account"):
		return nil, fmt.Errorf("oauth2client: credentials JSON holds service account credentials (_class %q): read them with serviceaccount.ParsePythonJSON", urlpolicy.Clip(class.name, 64))
	case class.name == "", class.name == classOAuth2, class.name == classGoogle, class.name == classAccessToken:
	default:
		return nil, fmt.Errorf("oauth2client: credentials JSON: unsupported _class %q", urlpolicy.Clip(class.name, 64))
	}

	required := []string{"access_token", "client_id", "client_secret", "refresh_token",
		"token_expiry", "token_uri", "user_agent", "invalid"}
	if class.name == classAccessToken {
		required = []string{"access_token", "user_agent"}
	}
	for _, name := range required {
		if _, ok := fields[name]; !ok {
			return nil, fmt.Errorf("oauth2client: credentials JSON: missing field %q", name)
		}
	}

	var cfg CredentialsConfig
	tok := &Token{}
	tok.AccessToken = r.str("access_token")
	cfg.ClientID = r.str("client_id")
	cfg.ClientSecret = r.str("client_secret")
	tok.RefreshToken = r.str("refresh_token")
	if s := r.str("token_expiry"); s != "" {
		tok.Expiry = parsePythonExpiry(s)
	}
	cfg.TokenURI = r.str("token_uri")
	cfg.UserAgent = r.str("user_agent")
	cfg.RevokeURI = r.str("revoke_uri")
	claims := r.object("id_token")
	tok.IDToken = r.str("id_token_jwt")
	tok.Raw = r.object("token_response")
	cfg.Scopes = r.scopes("scopes")
	cfg.TokenInfoURI = r.str("token_info_uri")
	invalid := r.boolean("invalid")
	ext := r.rawObject("extensions")
	cfg.IntrospectionURI = r.str("introspection_uri")
	if s := r.str("auth_style"); s != "" && r.err == nil {
		style, err := ParseAuthStyle(s)
		if err != nil {
			return nil, fmt.Errorf("oauth2client: credentials JSON: field \"auth_style\": %w", err)
		}
		cfg.AuthStyle = style
	}
	if r.err != nil {
		return nil, r.err
	}
	if tt, ok := tok.Raw["token_type"].(string); ok {
		tok.TokenType = tt
	}
	class = class.orDefault()
	s := &CredentialsState{Token: tok, Invalid: invalid, IDTokenClaims: claims,
		PythonClass: class.name, PythonModule: class.module, Extensions: ext}
	s.setConfig(cfg)
	return s, nil
}

// parsePythonExpiry parses an oauth2client expiry; an unparseable one is no
// expiry, as in Python.
func parsePythonExpiry(s string) time.Time {
	for _, layout := range []string{pythonExpiryLayout, pythonExpiryLenient} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// credReader reads typed fields from a credentials JSON object, keeping the
// first error.
type credReader struct {
	fields map[string]json.RawMessage
	err    error
}

// raw returns the field's JSON, or nil when absent or null.
func (r *credReader) raw(name string) json.RawMessage {
	v, ok := r.fields[name]
	if !ok || r.err != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return nil
	}
	return v
}

func (r *credReader) fail(name, want string, v json.RawMessage) {
	r.err = fmt.Errorf("oauth2client: credentials JSON: field %q is %s, want %s", name, rawJSONKind(v), want)
}

// str reads a string field; absent or null is "".
func (r *credReader) str(name string) string {
	v := r.raw(name)
	if v == nil {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		r.fail(name, "a string", v)
	}
	return s
}

// boolean reads a boolean field; absent or null is false.
func (r *credReader) boolean(name string) bool {
	v := r.raw(name)
	if v == nil {
		return false
	}
	var b bool
	if err := json.Unmarshal(v, &b); err != nil {
		r.fail(name, "a boolean", v)
	}
	return b
}

// object reads an object field with numbers kept as json.Number; absent or
// null is nil.
func (r *credReader) object(name string) map[string]any {
	v := r.raw(name)
	if v == nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		r.fail(name, "an object", v)
		return nil
	}
	return m
}

// rawObject reads an object field as its members' JSON, compacted;
// absent, null or empty is nil.
func (r *credReader) rawObject(name string) map[string]json.RawMessage {
	v := r.raw(name)
	if v == nil {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(v, &m); err != nil || m == nil {
		r.fail(name, "an object", v)
		return nil
	}
	if len(m) == 0 {
		return nil
	}
	for k, raw := range m {
		var b bytes.Buffer
		if json.Compact(&b, raw) == nil {
			m[k] = b.Bytes()
		}
	}
	return m
}

// scopes reads a list of scopes, or a space-separated string of them as
// Python's string_to_scopes accepts; empty is nil.
func (r *credReader) scopes(name string) []string {
	v := r.raw(name)
	if v == nil {
		return nil
	}
	var list []string
	if err := json.Unmarshal(v, &list); err != nil {
		var s string
		if json.Unmarshal(v, &s) != nil {
			r.fail(name, "a list of strings", v)
			return nil
		}
		list = strings.Fields(s)
	}
	if len(list) == 0 {
		return nil
	}
	return slices.Clip(list)
}
