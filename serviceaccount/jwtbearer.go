package serviceaccount

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
)

// GrantType is the JWT-bearer grant's grant_type (RFC 7523 §2.1).
const GrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// NewTokenSource returns a source of access tokens obtained with the
// JWT-bearer grant (RFC 7523 §2.1): each request posts an assertion signed
// with k (see [Key.Assertion]) to the token endpoint, without client
// authentication. Tokens are cached and refreshed ahead of expiry by an
// [oauth2client.CachedSource], so concurrent callers share one request
// per token lifetime.
func NewTokenSource(k *Key, cfg *Config) (*oauth2client.CachedSource, error) {
	c, err := cfg.checked(k)
	if err != nil {
		return nil, err
	}
	src := &bearerSource{key: k, cfg: c}
	return oauth2client.NewCachedSource(src, nil, &c.Cache), nil
}

// bearerSource requests a token with a fresh assertion on every call.
type bearerSource struct {
	key *Key
	cfg *Config // checked; never modified
}

// Token implements [oauth2client.TokenSource].
func (s *bearerSource) Token(ctx context.Context) (*oauth2client.Token, error) {
	assertion, err := s.key.assertion(s.cfg)
	if err != nil {
		return nil, err
	}
	return requestToken(ctx, s.cfg, assertion, false)
}

// requestToken posts assertion to the checked config's token endpoint,
// without client authentication; idOnly accepts an answer with an
// id_token only.
func requestToken(ctx context.Context, c *Config, assertion string, idOnly bool) (*oauth2client.Token, error) {
	return oauth2client.RequestToken(ctx, &oauth2client.TokenRequest{
		URL:         c.TokenURI,
		Params:      url.Values{"grant_type": {GrantType}, "assertion": {assertion}},
		AuthStyle:   oauth2client.AuthStyleNone,
		UserAgent:   c.UserAgent,
		HTTPClient:  c.HTTPClient,
		Logger:      c.Logger,
		Now:         c.Now,
		IDTokenOnly: idOnly,
	})
}

// Assertion returns a signed JWT-bearer assertion (RFC 7523 §2.1) for
// cfg: iss the account's email, aud the token endpoint, scope the
// space-separated scopes, iat now, exp an hour later, sub the subject when
// delegating, plus the extra claims; the header's kid is the key id.
// [NewTokenSource] sends one per token request.
func (k *Key) Assertion(cfg *Config) (string, error) {
	c, err := cfg.checked(k)
	if err != nil {
		return "", err
	}
	return k.assertion(c)
}

// assertion signs an assertion for a checked config.
func (k *Key) assertion(c *Config) (string, error) {
	claims := c.claims(c.Now(), k.email)
	claims["aud"] = c.TokenURI
	if len(c.Scopes) > 0 {
		claims["scope"] = strings.Join(c.Scopes, " ")
	}
	if c.Subject != "" {
		claims["sub"] = c.Subject
	}
	return k.sign(claims)
}

// sign signs claims as a JWT with the key's id in the header.
func (k *Key) sign(claims map[string]any) (string, error) {
	jwt, err := jose.Sign(k.priv, k.keyID, "JWT", claims)
	if err != nil {
		return "", fmt.Errorf("serviceaccount: sign JWT: %w", err)
	}
	return jwt, nil
}
