package serviceaccount

import (
	"context"
	"fmt"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
)

// TargetAudienceClaim is the assertion claim that asks Google's token
// endpoint for an ID token for an audience instead of an access token.
const TargetAudienceClaim = "target_audience"

// NewIDTokenSource returns a source of OpenID Connect ID tokens of the
// account for audience, signed by the token endpoint, as Google issues
// them to service accounts (google-auth's IDTokenCredentials): each
// request posts a JWT-bearer assertion (see [NewTokenSource]) whose
// "target_audience" claim is audience, with no "scope", and the endpoint
// answers with an id_token only.
//
// Each Token's AccessToken and IDToken are the ID token, so the source can
// authorize requests to services that accept ID tokens as bearer tokens
// (e.g. Cloud Run, IAP); its Expiry is the token's exp claim, read without
// verifying the token, which comes straight from the token endpoint.
// Recipients verify it (package idtoken). Tokens are cached by an
// [oauth2client.CachedSource]: concurrent callers share one request per
// token lifetime.
//
// cfg's Scopes, Subject and Audience have no meaning here and are an
// error when set; its other fields apply as for [NewTokenSource].
func NewIDTokenSource(k *Key, audience string, cfg *Config) (*oauth2client.CachedSource, error) {
	c, err := cfg.checked(k)
	if err != nil {
		return nil, err
	}
	switch {
	case audience == "":
		return nil, fmt.Errorf("%w: empty ID token audience", ErrConfig)
	case len(c.Scopes) > 0:
		return nil, fmt.Errorf("%w: Config.Scopes is not used for ID tokens", ErrConfig)
	case c.Subject != "":
		return nil, fmt.Errorf("%w: Config.Subject (delegation) is not used for ID tokens", ErrConfig)
	case c.Audience != "":
		return nil, fmt.Errorf("%w: Config.Audience is for self-signed JWTs; pass the ID token audience to NewIDTokenSource", ErrConfig)
	}
	if _, ok := c.ExtraClaims[TargetAudienceClaim]; ok {
		return nil, fmt.Errorf("%w: Config.ExtraClaims sets %q, which the package sets", ErrConfig, TargetAudienceClaim)
	}
	src := &idTokenSource{key: k, cfg: c, audience: audience}
	return oauth2client.NewCachedSource(src, nil, &c.Cache), nil
}

// idTokenSource requests an ID token with a fresh assertion on every call.
type idTokenSource struct {
	key      *Key
	cfg      *Config // checked; never modified
	audience string
}

// Token implements [oauth2client.TokenSource].
func (s *idTokenSource) Token(ctx context.Context) (*oauth2client.Token, error) {
	claims := s.cfg.claims(s.cfg.Now(), s.key.email)
	claims["aud"] = s.cfg.TokenURI
	claims[TargetAudienceClaim] = s.audience
	assertion, err := s.key.sign(claims)
	if err != nil {
		return nil, err
	}
	tok, err := requestToken(ctx, s.cfg, assertion, true)
	if err != nil {
		return nil, err
	}
	return IDTokenAsToken(tok.IDToken, tok.Raw)
}

// IDTokenAsToken wraps a raw ID token just received from its issuer as a
// bearer [oauth2client.Token]: AccessToken and IDToken are the ID token,
// Expiry its exp claim, read WITHOUT verifying the token (the caller got
// it straight from the issuer). raw, which may be nil, becomes the Token's
// Raw. Package google uses it for the ID tokens of every credential type.
func IDTokenAsToken(idToken string, raw map[string]any) (*oauth2client.Token, error) {
	if idToken == "" {
		return nil, fmt.Errorf("serviceaccount: %w: the response has no id_token", oauth2client.ErrMalformedResponse)
	}
	exp, err := jose.UnverifiedExpiry(idToken)
	if err != nil {
		return nil, fmt.Errorf("serviceaccount: %w: id_token: %w", oauth2client.ErrMalformedResponse, err)
	}
	return &oauth2client.Token{AccessToken: idToken, TokenType: "Bearer", IDToken: idToken, Expiry: exp, Raw: raw}, nil
}
