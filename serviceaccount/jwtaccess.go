package serviceaccount

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
)

// NewJWTAccessSource returns a source of self-signed JWTs used directly as
// access tokens, with no token request, as google-auth and
// cloud.google.com/go/auth do for Google APIs: iss and sub the account's
// email, aud [Config.Audience] when set, scope the space-separated
// [Config.Scopes] when set (one of the two is required), iat now, exp an
// hour later, the key id as kid. The JWT is cached and signed again before
// it expires by an [oauth2client.CachedSource]. Delegation
// ([Config.Subject]) needs the token endpoint and is an error here.
func NewJWTAccessSource(k *Key, cfg *Config) (*oauth2client.CachedSource, error) {
	c, err := cfg.checked(k)
	if err != nil {
		return nil, err
	}
	if c.Audience == "" && len(c.Scopes) == 0 {
		return nil, fmt.Errorf("%w: self-signed JWT access needs Config.Audience or Config.Scopes", ErrConfig)
	}
	if c.Subject != "" {
		return nil, fmt.Errorf("%w: Config.Subject (delegation) needs the JWT-bearer grant, not self-signed JWT access", ErrConfig)
	}
	src := oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) {
		return k.selfSigned(c)
	})
	return oauth2client.NewCachedSource(src, nil, &c.Cache), nil
}

// selfSigned signs a JWT access token for a checked config.
func (k *Key) selfSigned(c *Config) (*oauth2client.Token, error) {
	now := c.Now()
	claims := c.claims(now, k.email)
	claims["sub"] = k.email
	if c.Audience != "" {
		claims["aud"] = c.Audience
	}
	if len(c.Scopes) > 0 {
		claims["scope"] = strings.Join(c.Scopes, " ")
	}
	jwt, err := k.sign(claims)
	if err != nil {
		return nil, err
	}
	return &oauth2client.Token{
		AccessToken: jwt, TokenType: "Bearer",
		Expiry: time.Unix(now.Add(JWTLifetime).Unix(), 0),
		Scopes: c.Scopes,
	}, nil
}
