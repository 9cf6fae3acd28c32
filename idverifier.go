package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// IDTokenVerifier verifies an OpenID Connect ID token (signature, issuer,
// audience, expiry and, when nonce is not empty, the nonce) and returns its
// claims. Package idtoken's *Verifier implements it; the interface keeps
// JOSE out of this package. It must be safe for concurrent use.
type IDTokenVerifier interface {
	VerifyIDToken(ctx context.Context, raw, nonce string) (map[string]any, error)
}

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
// flow's Config.IDTokenVerifier. A refresh's new ID token is not verified.
func (c *Credentials) IDTokenVerified() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.idVerified
}
