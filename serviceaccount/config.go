package serviceaccount

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"time"

	"github.com/oauth2client/oauth2client"
)

// JWTLifetime is the lifetime of every assertion and self-signed JWT: the
// most RFC 7523 servers such as Google accept.
const JWTLifetime = time.Hour

// Config says what tokens a [Key] obtains. The zero value asks for a
// token without scopes from the key's token endpoint.
type Config struct {
	// Scopes are the scopes asked for (the assertion's "scope" claim).
	Scopes []string
	// Subject, when set, is the user the account acts for (domain-wide
	// delegation): the assertion's "sub" claim.
	Subject string
	// ExtraClaims are added to the assertion or self-signed JWT. They
	// cannot replace iss, sub, aud, iat, exp or scope.
	ExtraClaims map[string]any
	// Audience is the "aud" of a self-signed JWT ([NewJWTAccessSource]);
	// the JWT-bearer grant always uses the token endpoint.
	Audience string
	// TokenURI overrides the key's token endpoint.
	TokenURI string
	// HTTPClient sends token requests; nil means the root package's
	// default client (see [oauth2client.TokenRequest]).
	HTTPClient *http.Client
	// UserAgent, when set, is sent with token requests.
	UserAgent string
	// Logger receives debug records of token requests and refreshes, never
	// a token or key; nil means none.
	Logger *slog.Logger
	// Cache tunes the [oauth2client.CachedSource] every source returns.
	// Its Now, when nil, is set to Now.
	Cache oauth2client.CacheOptions
	// Now is the clock for iat and exp; nil means time.Now.
	Now func() time.Time
}

// reserved are the claims the package sets itself.
var reserved = []string{"iss", "sub", "aud", "iat", "exp", "scope"}

// ErrConfig is wrapped by errors about a [Config].
var ErrConfig = errors.New("serviceaccount: invalid config")

// checked copies cfg (nil means the zero Config), fills the defaults and
// checks it.
func (cfg *Config) checked(k *Key) (*Config, error) {
	if k == nil {
		return nil, fmt.Errorf("%w: nil Key", ErrConfig)
	}
	var c Config
	if cfg != nil {
		c = *cfg
	}
	c.Scopes = slices.Clone(c.Scopes)
	c.ExtraClaims = maps.Clone(c.ExtraClaims)
	for _, name := range reserved {
		if _, ok := c.ExtraClaims[name]; ok {
			return nil, fmt.Errorf("%w: Config.ExtraClaims sets %q, which the package sets", ErrConfig, name)
		}
	}
	if c.TokenURI == "" {
		c.TokenURI = k.tokenURI
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Cache.Now == nil {
		c.Cache.Now = c.Now
	}
	if c.Cache.Logger == nil {
		c.Cache.Logger = c.Logger
	}
	return &c, nil
}

// claims returns the claims every JWT of the package carries, issued at
// now, plus the extra ones.
func (cfg *Config) claims(now time.Time, iss string) map[string]any {
	m := make(map[string]any, len(cfg.ExtraClaims)+6)
	maps.Copy(m, cfg.ExtraClaims)
	m["iss"] = iss
	m["iat"] = now.Unix()
	m["exp"] = now.Add(JWTLifetime).Unix()
	return m
}
