// Package requestobject signs the request objects of RFC 9101 (JWT-Secured
// Authorization Request) with a private key: set a [*Signer] as
// oauth2client.Config.RequestObjectSigner, and register the public key
// with the authorization server.
package requestobject

import (
	"context"
	"crypto"
	"errors"
	"fmt"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// Type is the JWT "typ" header of request objects (RFC 9101 §10.8).
const Type = "oauth-authz-req+jwt"

// Signer signs request objects with a private key: RS256 for RSA keys of
// at least 2048 bits, ES256 for P-256 keys, EdDSA for Ed25519 keys. It is
// safe for concurrent use.
type Signer struct {
	key crypto.Signer
	kid string
}

// New returns a signer for key, naming it kid (the "kid" header; empty
// for none). It fails when key is of a type or size it cannot sign with.
func New(key crypto.Signer, kid string) (*Signer, error) {
	if key == nil {
		return nil, errors.New("requestobject: nil key")
	}
	if _, err := jose.Sign(key, kid, Type, map[string]any{}); err != nil {
		return nil, fmt.Errorf("requestobject: key: %w", err)
	}
	return &Signer{key: key, kid: kid}, nil
}

// SignRequestObject returns claims signed as a compact JWS with the "typ"
// [Type]; it implements oauth2client.RequestObjectSigner.
func (s *Signer) SignRequestObject(ctx context.Context, claims map[string]any) (string, error) {
	if err := context.Cause(ctx); err != nil {
		return "", fmt.Errorf("requestobject: %w", err)
	}
	jwt, err := jose.Sign(s.key, s.kid, Type, claims)
	if err != nil {
		return "", fmt.Errorf("requestobject: %w", err)
	}
	return jwt, nil
}
