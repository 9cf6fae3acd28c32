package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// IDTokenVerifier verifies an OpenID Connect ID token (signature, issuer,
// audience, expiry and, when nonce is not empty, the nonce) and returns its
// claims. Package idtoken's *Verifier implements it; the interface keeps
// JOSE out of this package. It must be safe for concurrent use.
type IDTokenVerifier interface {
	VerifyIDToken(ctx context.Context, raw, nonce string) (map[string]any, error)
}

// ErrIDTokenChanged reports a refresh whose ID token names another
// issuer, subject or audience than the ID token it replaces (OIDC Core
// §12.2).
var ErrIDTokenChanged = errors.New("oauth2client: the refreshed ID token names another issuer, subject or audience")

// ErrNoIDToken reports a token response without an ID token to a flow
// that asked for scope "openid" and was given a Config.IDTokenVerifier.
var ErrNoIDToken = errors.New("oauth2client: the token response has no id_token")

// verifiedCredentials returns the credentials for a token the flow
// obtained, verifying its ID token first when the flow has a verifier:
// then the credentials' ID token claims are the verified ones.
func (f *Flow) verifiedCredentials(ctx context.Context, tok *Token, scopes []string, nonce string) (*Credentials, error) {
	v := f.cfg.IDTokenVerifier
	if v == nil {
		return f.credentials(tok, scopes), nil
	}
	if tok.IDToken == "" {
		if slices.Contains(scopes, "openid") {
			return nil, ErrNoIDToken
		}
		return f.credentials(tok, scopes), nil
	}
	claims, err := v.VerifyIDToken(ctx, tok.IDToken, nonce)
	if err != nil {
		return nil, fmt.Errorf("oauth2client: ID token: %w", err)
	}
	c := f.credentials(tok, scopes)
	c.mu.Lock()
	c.idClaims, c.idVerified = claims, true
	c.mu.Unlock()
	return c, nil
}

// IDTokenVerified reports whether the claims [Credentials.IDTokenClaims]
// returns are those of the current token's ID token as verified by the
// flow's Config.IDTokenVerifier or, after a refresh, by
// CredentialsConfig.IDTokenVerifier.
func (c *Credentials) IDTokenVerified() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.idVerified
}

// verifiedIDToken is an ID token a refresh verified, with its claims.
type verifiedIDToken struct {
	raw    string
	claims map[string]any
}

// verifyRefreshed verifies the ID token of tok, the answer to a refresh
// with old's refresh token, when the credentials have a verifier and tok
// has an ID token: no nonce, and "iss", "sub" and "aud" as in the ID
// token it replaces (OIDC Core §12.2), when there was one. The verified
// claims are kept for setToken.
func (c *Credentials) verifyRefreshed(ctx context.Context, old, tok *Token) error {
	v := c.cfg.IDTokenVerifier
	if v == nil || tok.IDToken == "" {
		return nil
	}
	claims, err := v.VerifyIDToken(ctx, tok.IDToken, "")
	if err != nil {
		return fmt.Errorf("oauth2client: refreshed ID token: %w", err)
	}
	c.mu.Lock()
	orig := c.idClaims
	c.mu.Unlock()
	if orig == nil && old != nil && old.IDToken != "" {
		orig = decodeIDTokenClaims(old.IDToken)
	}
	if orig != nil {
		for _, name := range []string{"iss", "sub", "aud"} {
			if !sameClaim(name, orig[name], claims[name]) {
				return fmt.Errorf("%w: claim %q differs", ErrIDTokenChanged, name)
			}
		}
	}
	c.mu.Lock()
	c.verifiedID = verifiedIDToken{raw: tok.IDToken, claims: claims}
	c.mu.Unlock()
	return nil
}

// sameClaim reports whether the claim name has the same value in two ID
// tokens: "aud" as a set of strings (a string or an array), "iss" with
// and without "https://" (Google's two spellings; the verifier has pinned
// the issuer already), others as strings.
func sameClaim(name string, a, b any) bool {
	if name == "aud" {
		x, y := claimStrings(a), claimStrings(b)
		slices.Sort(x)
		slices.Sort(y)
		return slices.Equal(x, y)
	}
	x, _ := a.(string)
	y, _ := b.(string)
	if name == "iss" {
		x, y = strings.TrimPrefix(x, "https://"), strings.TrimPrefix(y, "https://")
	}
	return x == y
}

// claimStrings is a claim that is a string or an array of strings.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []string:
		return slices.Clone(v)
	case []any:
		s := make([]string, 0, len(v))
		for _, e := range v {
			str, _ := e.(string)
			s = append(s, str)
		}
		return s
	}
	return nil
}
