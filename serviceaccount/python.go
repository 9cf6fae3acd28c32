package serviceaccount

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Python oauth2client's names for service account credentials.
const (
	pyClass        = "ServiceAccountCredentials"
	pyClassJWT     = "_JWTAccessCredentials"
	pyModule       = "oauth2client.service_account"
	pyExpiryLayout = "2006-01-02T15:04:05Z" // oauth2client.client.EXPIRY_FORMAT
)

// PythonCredentials are Python oauth2client's ServiceAccountCredentials
// as its to_json writes them (and as oauth2client.file.Storage keeps
// them): the key, the scopes, the delegation subject and extra claims
// (Python's _kwargs), and the last access token. Read them with
// [ParsePythonJSON], write them with [PythonCredentials.MarshalJSON], and
// get tokens with [PythonCredentials.TokenSource].
type PythonCredentials struct {
	// Key is the account's key, from _private_key_pkcs8_pem or from
	// _private_key_pkcs12 and _private_key_password.
	Key *Key
	// Scopes are _scopes.
	Scopes []string
	// Subject is _kwargs["sub"]: the user the account acts for.
	Subject string
	// ExtraClaims are the other _kwargs, added to every assertion.
	ExtraClaims map[string]any
	// UserAgent is _user_agent.
	UserAgent string
	// TokenURI and RevokeURI are token_uri and revoke_uri.
	TokenURI, RevokeURI string
	// Token holds access_token and token_expiry; nil when there is none.
	Token *oauth2client.Token
	// Invalid is Python's invalid flag.
	Invalid bool

	class string // _class as read: ServiceAccountCredentials or _JWTAccessCredentials
}

// pyJSON is the to_json object. Pointers tell null from a value.
type pyJSON struct {
	Class       string          `json:"_class"`
	Module      string          `json:"_module"`
	Email       *string         `json:"_service_account_email"`
	PEM         *string         `json:"_private_key_pkcs8_pem"`
	P12         *string         `json:"_private_key_pkcs12"`
	P12Password *string         `json:"_private_key_password"`
	KeyID       *string         `json:"_private_key_id"`
	Scopes      json.RawMessage `json:"_scopes"`
	UserAgent   *string         `json:"_user_agent"`
	ClientID    *string         `json:"client_id"`
	Kwargs      map[string]any  `json:"_kwargs"`
	AccessToken *string         `json:"access_token"`
	TokenExpiry *string         `json:"token_expiry"`
	TokenURI    *string         `json:"token_uri"`
	RevokeURI   *string         `json:"revoke_uri"`
	Invalid     bool            `json:"invalid"`
}

// ParsePythonJSON reads service account credentials written by Python
// oauth2client's ServiceAccountCredentials.to_json (classes
// ServiceAccountCredentials and _JWTAccessCredentials). The fields Python's
// from_json requires must be present. data is at most
// [oauth2client.MaxCredentialsJSON] bytes. Errors name the field at fault
// and never quote a key or token.
func ParsePythonJSON(data []byte) (*PythonCredentials, error) {
	const where = "Python credentials JSON"
	if len(data) > oauth2client.MaxCredentialsJSON {
		return nil, fmt.Errorf("serviceaccount: %s exceeds %d bytes", where, oauth2client.MaxCredentialsJSON)
	}
	var present map[string]json.RawMessage
	if err := json.Unmarshal(data, &present); err != nil || present == nil {
		return nil, fmt.Errorf("%w: %s is not a JSON object", ErrInvalidKey, where)
	}
	var j pyJSON
	if err := json.Unmarshal(data, &j); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("%w: %s: field %q is %s", ErrInvalidKey, where, te.Field, te.Value)
		}
		return nil, fmt.Errorf("%w: %s does not parse", ErrInvalidKey, where)
	}
	if j.Class != pyClass && j.Class != pyClassJWT {
		return nil, fmt.Errorf("%w: %s: _class %q, want %q", ErrWrongType, where, urlpolicy.Clip(j.Class, 64), pyClass)
	}
	required := []string{"_service_account_email", "_scopes", "_private_key_id", "client_id",
		"_user_agent", "_kwargs", "invalid", "access_token", "token_uri", "revoke_uri"}
	if j.P12 != nil {
		required = append(required, "_private_key_password")
	} else {
		required = append(required, "_private_key_pkcs8_pem")
	}
	for _, name := range required {
		if _, ok := present[name]; !ok {
			return nil, fmt.Errorf("%w: %s: field %q", ErrMissingField, where, name)
		}
	}
	scopes, err := pyScopes(j.Scopes)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: field \"_scopes\": %w", ErrInvalidKey, where, err)
	}
	k, err := j.key(where)
	if err != nil {
		return nil, err
	}
	c := &PythonCredentials{
		Key: k, Scopes: scopes, UserAgent: str(j.UserAgent), TokenURI: str(j.TokenURI),
		RevokeURI: str(j.RevokeURI), Invalid: j.Invalid, class: j.Class,
	}
	if sub, ok := j.Kwargs["sub"]; ok {
		s, isString := sub.(string)
		if !isString {
			return nil, fmt.Errorf("%w: %s: field \"_kwargs\": \"sub\" is not a string", ErrInvalidKey, where)
		}
		c.Subject = s
		delete(j.Kwargs, "sub")
	}
	if len(j.Kwargs) > 0 {
		c.ExtraClaims = j.Kwargs
	}
	if at := str(j.AccessToken); at != "" {
		c.Token = &oauth2client.Token{AccessToken: at, TokenType: "Bearer"}
		if t, err := time.Parse(pyExpiryLayout, str(j.TokenExpiry)); err == nil {
			c.Token.Expiry = t
		}
	}
	return c, nil
}

// key reads the private key of a to_json object.
func (j *pyJSON) key(where string) (*Key, error) {
	var k *Key
	if j.P12 != nil {
		p12, err := base64.StdEncoding.DecodeString(*j.P12)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: field \"_private_key_pkcs12\" is not base64", ErrInvalidKey, where)
		}
		k, err = parseP12(p12, &P12Options{Email: str(j.Email), Password: str(j.P12Password), KeyID: str(j.KeyID)},
			where+" field \"_private_key_pkcs12\"")
		if err != nil {
			return nil, err
		}
	} else {
		priv, err := parsePEMKey([]byte(str(j.PEM)))
		if err != nil {
			return nil, fmt.Errorf("%s: field \"_private_key_pkcs8_pem\": %w", where, err)
		}
		k = &Key{email: str(j.Email), keyID: str(j.KeyID), priv: priv, pem: str(j.PEM)}
	}
	if k.email == "" {
		return nil, fmt.Errorf("%w: %s: field %q", ErrMissingField, where, "_service_account_email")
	}
	k.clientID = str(j.ClientID)
	k.tokenURI = str(j.TokenURI)
	k.defaults()
	return k, nil
}

// pyScopes reads _scopes: a space-separated string, as Python writes it,
// or a list of strings.
func pyScopes(raw json.RawMessage) ([]string, error) {
	var s *string
	if err := json.Unmarshal(raw, &s); err == nil {
		if s == nil {
			return nil, nil
		}
		return strings.Fields(*s), nil
	}
	var list []string
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("want a string or a list of strings")
	}
	return list, nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// MarshalJSON writes c as Python oauth2client's to_json does, so Python's
// ServiceAccountCredentials.from_json reads it: a key read from a P12 file
// is kept as _private_key_pkcs12 (base64) and its password, any other as
// _private_key_pkcs8_pem.
func (c PythonCredentials) MarshalJSON() ([]byte, error) {
	if c.Key == nil {
		return nil, fmt.Errorf("%w: PythonCredentials.Key is nil", ErrConfig)
	}
	k := c.Key
	class := c.class
	if class == "" {
		class = pyClass
	}
	kwargs := maps.Clone(c.ExtraClaims)
	if kwargs == nil {
		kwargs = map[string]any{}
	}
	if c.Subject != "" {
		kwargs["sub"] = c.Subject
	}
	m := map[string]any{
		"_class": class, "_module": pyModule,
		"_service_account_email": k.email, "_private_key_id": k.keyID,
		"_scopes": strings.Join(c.Scopes, " "), "_user_agent": nullable(c.UserAgent),
		"_kwargs": kwargs, "client_id": nullable(k.clientID),
		"client_secret": nil, "refresh_token": nil, "user_agent": nil,
		"access_token": nil, "token_expiry": nil,
		"token_uri": firstOf(c.TokenURI, k.tokenURI), "revoke_uri": nullable(c.RevokeURI),
		"id_token": nil, "id_token_jwt": nil, "token_response": nil, "scopes": []string{},
		"token_info_uri": nil, "invalid": c.Invalid, "assertion_type": nil,
	}
	if k.p12 != nil {
		m["_private_key_pkcs12"] = base64.StdEncoding.EncodeToString(k.p12)
		m["_private_key_password"] = k.p12Password
	} else {
		pem := k.pem
		if pem == "" {
			return nil, fmt.Errorf("%w: PythonCredentials.Key has no PEM or P12 form", ErrConfig)
		}
		m["_private_key_pkcs8_pem"] = pem
	}
	if t := c.Token; t != nil && t.AccessToken != "" {
		m["access_token"] = t.AccessToken
		if !t.Expiry.IsZero() {
			m["token_expiry"] = t.Expiry.UTC().Format(pyExpiryLayout)
		}
	}
	return json.Marshal(m)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Config returns the stored scopes, subject, extra claims, token endpoint
// and user agent as a [Config], over base's other fields (HTTP client,
// logger, cache options; base may be nil).
func (c *PythonCredentials) Config(base *Config) *Config {
	var cfg Config
	if base != nil {
		cfg = *base
	}
	cfg.Scopes, cfg.Subject, cfg.ExtraClaims = c.Scopes, c.Subject, c.ExtraClaims
	cfg.TokenURI, cfg.UserAgent = firstOf(c.TokenURI, cfg.TokenURI), firstOf(c.UserAgent, cfg.UserAgent)
	return &cfg
}

// TokenSource returns a JWT-bearer token source for the stored
// credentials (see [NewTokenSource] and [PythonCredentials.Config]),
// starting from the stored access token while it is valid.
func (c *PythonCredentials) TokenSource(base *Config) (*oauth2client.CachedSource, error) {
	cfg, err := c.Config(base).checked(c.Key)
	if err != nil {
		return nil, err
	}
	var initial *oauth2client.Token
	if c.Token != nil {
		initial = c.Token.Clone()
	}
	return oauth2client.NewCachedSource(&bearerSource{key: c.Key, cfg: cfg}, initial, &cfg.Cache), nil
}
