package google

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Credential types: the "type" field of credentials files, plus
// TypeMetadata for the metadata server.
const (
	TypeAuthorizedUser = "authorized_user"
	TypeServiceAccount = "service_account"
	TypeImpersonated   = "impersonated_service_account"
	// TypeMetadata names credentials of the GCE metadata server; no file
	// has this type.
	TypeMetadata = "gce_metadata"
)

// MaxFileSize bounds the credentials files read.
const MaxFileSize = 1 << 20

// CredentialsFromFile reads the credentials file at path (the types
// TypeAuthorizedUser, TypeImpersonated and, see [supportedTypes],
// TypeServiceAccount) and returns credentials for it, without a request.
// opts may be nil.
func CredentialsFromFile(path string, opts *Options) (*Credentials, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return CredentialsFromJSON(data, path, opts)
}

// CredentialsFromJSON is [CredentialsFromFile] for data already read; name
// is the file's name, used in errors.
func CredentialsFromJSON(data []byte, name string, opts *Options) (*Credentials, error) {
	o := opts.clone()
	var f map[string]json.RawMessage
	if len(data) > MaxFileSize {
		return nil, &FileError{Path: name, Err: fmt.Errorf("%w: larger than %d bytes", ErrMalformedFile, MaxFileSize)}
	}
	if err := json.Unmarshal(data, &f); err != nil || f == nil {
		return nil, &FileError{Path: name, Err: fmt.Errorf("%w: not a JSON object", ErrMalformedFile)}
	}
	r := fileReader{path: name, fields: f}
	typ := r.str("type", false)
	if r.err != nil {
		return nil, r.err
	}
	r.typ = urlpolicy.Clip(typ, 64)
	var c *Credentials
	var err error
	switch typ {
	case TypeAuthorizedUser:
		c, err = authorizedUser(&r, o)
	case TypeImpersonated:
		c, err = impersonated(&r, o)
	case TypeServiceAccount:
		c, err = serviceAccount(data, &r, o)
	case "":
		return nil, &FileError{Path: name, Field: "type", Err: ErrMissingField}
	default:
		return nil, &FileError{Path: name, Type: r.typ, Err: fmt.Errorf("%w (supported: %s)", ErrUnknownType, strings.Join(supportedTypes, ", "))}
	}
	if err != nil {
		return nil, err
	}
	c.File = name
	c.Type = typ
	c.opts = o
	if o.QuotaProject != "" {
		c.QuotaProject = o.QuotaProject
	}
	return c, nil
}

// authorizedUser builds credentials of a gcloud authorized_user file:
// client_id, client_secret, refresh_token, and optionally token_uri and
// quota_project_id.
func authorizedUser(r *fileReader, o Options) (*Credentials, error) {
	clientID := r.str("client_id", true)
	secret := r.str("client_secret", true)
	refresh := r.str("refresh_token", true)
	tokenURI := r.str("token_uri", false)
	quota := r.str("quota_project_id", false)
	if r.err != nil {
		return nil, r.err
	}
	cfg := oauth2client.CredentialsConfig{
		ClientID:     clientID,
		ClientSecret: secret,
		TokenURI:     tokenURI,
		Scopes:       o.Scopes,
		HTTPClient:   o.HTTPClient,
		Logger:       o.Logger,
		Cache:        o.Cache,
	}
	if cfg.TokenURI == "" {
		cfg.TokenURI = oauth2client.GoogleEndpoint.TokenURL
	}
	if cfg.TokenURI == oauth2client.GoogleEndpoint.TokenURL {
		cfg.RevokeURI = oauth2client.GoogleEndpoint.RevocationURL
		cfg.TokenInfoURI = oauth2client.GoogleEndpoint.TokenInfoURL
	} else if err := urlpolicy.CheckEndpoint(cfg.TokenURI); err != nil {
		return nil, &FileError{Path: r.path, Type: r.typ, Field: "token_uri", Err: err}
	}
	user := oauth2client.NewCredentials(cfg, &oauth2client.Token{RefreshToken: refresh})
	return &Credentials{TokenSource: user, QuotaProject: quota, user: user}, nil
}

// impersonated builds credentials of an impersonated_service_account
// file: service_account_impersonation_url, source_credentials (a nested
// credentials object), and optionally delegates and quota_project_id.
func impersonated(r *fileReader, o Options) (*Credentials, error) {
	rawURL := r.str("service_account_impersonation_url", true)
	srcJSON := r.raw("source_credentials", true)
	delegates := r.strs("delegates")
	quota := r.str("quota_project_id", false)
	if r.err != nil {
		return nil, r.err
	}
	base, target, ok := parseImpersonationURL(rawURL)
	if !ok {
		return nil, &FileError{Path: r.path, Type: r.typ, Field: "service_account_impersonation_url",
			Err: fmt.Errorf("%w: want BASE/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken", ErrMalformedFile)}
	}
	// The source needs the cloud-platform scope to call the IAM API, not
	// the scopes asked of the target.
	so := o
	so.Scopes = []string{CloudPlatformScope}
	so.QuotaProject = ""
	// Refuse nested impersonation before reading the source: a file of
	// deeply nested sources would otherwise be parsed level by level.
	var probe struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(srcJSON, &probe) == nil && probe.Type == TypeImpersonated {
		return nil, &FileError{Path: r.path, Type: r.typ, Field: "source_credentials",
			Err: fmt.Errorf("%w: nested impersonation", ErrUnknownType)}
	}
	src, err := CredentialsFromJSON(srcJSON, r.path+" (source_credentials)", &so)
	if err != nil {
		return nil, err
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{CloudPlatformScope}
	}
	imp, err := Impersonate(src.TokenSource, &ImpersonateOptions{
		TargetPrincipal: target,
		Delegates:       delegates,
		Scopes:          scopes,
		BaseURL:         base,
		HTTPClient:      o.HTTPClient,
		Logger:          o.Logger,
		Cache:           o.Cache,
	})
	if err != nil {
		return nil, &FileError{Path: r.path, Type: r.typ, Err: err}
	}
	return &Credentials{TokenSource: imp, QuotaProject: quota, impersonated: imp}, nil
}

// parseImpersonationURL splits BASE/v1/projects/-/serviceAccounts/EMAIL:generateAccessToken.
func parseImpersonationURL(raw string) (base, email string, ok bool) {
	const mid, suffix = "/v1/projects/-/serviceAccounts/", ":generateAccessToken"
	base, rest, ok := strings.Cut(raw, mid)
	if !ok || !strings.HasSuffix(rest, suffix) || urlpolicy.CheckEndpoint(base) != nil {
		return "", "", false
	}
	email = strings.TrimSuffix(rest, suffix)
	if !strings.Contains(email, "@") || strings.ContainsAny(email, "/?#") {
		return "", "", false
	}
	return base, email, true
}

// readBounded reads a credentials file of at most MaxFileSize bytes.
func readBounded(path string) ([]byte, error) {
	data, err := safefile.ReadFile(path, MaxFileSize)
	if errors.Is(err, safefile.ErrTooLarge) {
		return nil, &FileError{Path: path, Err: fmt.Errorf("%w: larger than %d bytes", ErrMalformedFile, MaxFileSize)}
	}
	if err != nil {
		return nil, &FileError{Path: path, Err: err}
	}
	return data, nil
}

// fileReader reads fields of a credentials file, keeping the first error.
type fileReader struct {
	path, typ string
	fields    map[string]json.RawMessage
	err       error
}

// fail records an error about field.
func (r *fileReader) fail(field string, err error) {
	if r.err == nil {
		r.err = &FileError{Path: r.path, Type: r.typ, Field: field, Err: err}
	}
}

// raw returns a field's JSON; required fields must be present and not null.
func (r *fileReader) raw(name string, required bool) json.RawMessage {
	v, ok := r.fields[name]
	if !ok || string(v) == "null" {
		if required {
			r.fail(name, ErrMissingField)
		}
		return nil
	}
	return v
}

// str returns a string field; a required one must be non-empty.
func (r *fileReader) str(name string, required bool) string {
	v := r.raw(name, required)
	if v == nil {
		return ""
	}
	var s string
	if err := json.Unmarshal(v, &s); err != nil {
		r.fail(name, fmt.Errorf("%w: not a string", ErrMalformedFile))
		return ""
	}
	if s == "" && required {
		r.fail(name, ErrMissingField)
	}
	return s
}

// strs returns an optional list of strings.
func (r *fileReader) strs(name string) []string {
	v := r.raw(name, false)
	if v == nil {
		return nil
	}
	var s []string
	if err := json.Unmarshal(v, &s); err != nil {
		r.fail(name, fmt.Errorf("%w: not a list of strings", ErrMalformedFile))
		return nil
	}
	return s
}
