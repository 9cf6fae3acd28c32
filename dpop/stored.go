package dpop

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/oauth2client/oauth2client/internal/dpophook"
	"github.com/oauth2client/oauth2client/internal/jose"
)

// Extension is the name of the extension field
// ([oauth2client.CredentialsState].Extensions) that keeps a Prover's key
// with the credentials it binds. Credentials made with a Prover as their
// ProofBinder carry it; credentials read back from a store or JSON with it
// sign their proofs with the same key again (see
// [oauth2client.CredentialsConfig].ProofBinder). Its value holds the
// private key: it is as secret as the refresh token it protects.
const Extension = dpophook.Extension

// Algorithms are the proof algorithms a Prover signs with, in the order a
// flow prefers them by default.
var Algorithms = []string{jose.ES256, jose.EdDSA, jose.RS256}

// ErrStoredKey is wrapped by the errors for an extension field that does
// not hold a usable DPoP key.
var ErrStoredKey = errors.New("dpop: stored key is missing or corrupt")

// GenerateKey returns a new key for alg: "ES256" (P-256), "EdDSA"
// (Ed25519) or "RS256" (RSA, 2048 bits).
func GenerateKey(alg string) (crypto.Signer, error) {
	switch alg {
	case jose.ES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case jose.EdDSA:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	case jose.RS256:
		return rsa.GenerateKey(rand.Reader, jose.MinRSABits)
	}
	return nil, fmt.Errorf("dpop: algorithm %q is not one of %q", alg, Algorithms)
}

// storedKey is the value of the extension field: the private JWK and, to
// detect a damaged entry, its thumbprint.
type storedKey struct {
	JKT string          `json:"jkt"`
	JWK json.RawMessage `json:"jwk"`
}

// marshalKey returns the extension field value for p's key.
func (p *Prover) marshalKey() (json.RawMessage, error) {
	jwk, err := jose.MarshalPrivateJWK(p.key, "")
	if err != nil {
		return nil, fmt.Errorf("dpop: storing the key: %w", err)
	}
	return json.Marshal(storedKey{JKT: p.jkt, JWK: jwk})
}

// loadProver returns a Prover for the key raw holds, as marshalKey wrote
// it. Errors name what is wrong, never key material.
func loadProver(raw json.RawMessage) (*Prover, error) {
	var s storedKey
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, fmt.Errorf("%w: extension field %q is not a JSON object with \"jkt\" and \"jwk\"", ErrStoredKey, Extension)
	}
	if len(s.JWK) == 0 || string(s.JWK) == "null" {
		return nil, fmt.Errorf("%w: extension field %q has no \"jwk\"", ErrStoredKey, Extension)
	}
	key, _, err := jose.ParsePrivateJWK(s.JWK)
	if err != nil {
		return nil, fmt.Errorf("%w: extension field %q: %w", ErrStoredKey, Extension, err)
	}
	p, err := NewProver(key, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrStoredKey, err)
	}
	if s.JKT != p.jkt {
		return nil, fmt.Errorf("%w: extension field %q: the key's thumbprint is not the stored \"jkt\"", ErrStoredKey, Extension)
	}
	return p, nil
}

func init() {
	dpophook.New = func(alg string) (any, error) {
		key, err := GenerateKey(alg)
		if err != nil {
			return nil, err
		}
		return NewProver(key, nil)
	}
	dpophook.Save = func(binder any) (json.RawMessage, bool, error) {
		p, ok := binder.(*Prover)
		if !ok {
			return nil, false, nil
		}
		raw, err := p.marshalKey()
		return raw, true, err
	}
	dpophook.Load = func(raw json.RawMessage) (any, error) { return loadProver(raw) }
	dpophook.JKT = func(binder any) (string, bool) {
		p, ok := binder.(*Prover)
		if !ok {
			return "", false
		}
		return p.jkt, true
	}
}
