package clientauth

import (
	"context"
	"crypto"
	"fmt"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
)

// KeyTypeError reports a key private_key_jwt cannot sign with: not an RSA
// key of at least 2048 bits, a P-256 ECDSA key or an Ed25519 key, or a
// public or symmetric key where a private one is needed.
type KeyTypeError struct {
	// Source names where the key came from, e.g. a file name or "key".
	Source string
	// Type describes the key found, e.g. "*rsa.PrivateKey of 1024 bits".
	Type string
	err  error
}

// Error says what was wrong, never the key.
func (e *KeyTypeError) Error() string {
	return fmt.Sprintf("clientauth: %s: unsupported key: %s (need RSA ≥ %d bits, ECDSA P-256 or Ed25519 private key)", e.Source, e.Type, jose.MinRSABits)
}

// Unwrap returns the underlying cause.
func (e *KeyTypeError) Unwrap() error { return e.err }

// PrivateKeyJWT is private_key_jwt (RFC 7523 §2.2, OIDC Core §9): each
// request carries a fresh assertion signed with the client's private key:
// RS256 for RSA, ES256 for P-256, EdDSA for Ed25519. It is safe for
// concurrent use when the key is.
type PrivateKeyJWT struct {
	key  crypto.Signer
	kid  string
	opts Options
}

// NewPrivateKeyJWT returns private_key_jwt signing with key and naming
// kid in the header (kid may be empty); opts may be nil and is copied. A
// key of the wrong type is a [*KeyTypeError].
func NewPrivateKeyJWT(key crypto.Signer, kid string, opts *Options) (*PrivateKeyJWT, error) {
	if key == nil {
		return nil, &KeyTypeError{Source: "key", Type: "nil", err: jose.ErrUnsupportedKey}
	}
	if _, err := jose.SigningAlg(key.Public()); err != nil {
		return nil, &KeyTypeError{Source: "key", Type: describe(key.Public()), err: err}
	}
	a := &PrivateKeyJWT{key: key, kid: kid}
	if opts != nil {
		a.opts = *opts
	}
	return a, nil
}

// KeyID returns the "kid" the assertions name.
func (a *PrivateKeyJWT) KeyID() string { return a.kid }

// Public returns the public half of the key, to register with the server.
func (a *PrivateKeyJWT) Public() crypto.PublicKey { return a.key.Public() }

// Method returns "private_key_jwt".
func (*PrivateKeyJWT) Method() string { return "private_key_jwt" }

// String names the method and kid, never the key.
func (a *PrivateKeyJWT) String() string {
	if a.kid == "" {
		return a.Method()
	}
	return a.Method() + " (kid " + a.kid + ")"
}

// Authenticate adds client_id, client_assertion_type and a fresh
// client_assertion to r's form.
func (a *PrivateKeyJWT) Authenticate(ctx context.Context, r *oauth2client.ClientAuthRequest) error {
	return authenticate(ctx, &a.opts, r, a.Method(), func(c claims) (string, error) {
		return jose.Sign(a.key, a.kid, "JWT", c)
	})
}

var _ oauth2client.ClientAuth = (*PrivateKeyJWT)(nil)
