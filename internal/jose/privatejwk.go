package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// MaxJWKSize bounds the length of a JWK this package parses.
const MaxJWKSize = 64 << 10

// ParsePrivateJWK parses one private JWK (RFC 7517 §4) of an RSA, EC or
// OKP (Ed25519) key and returns its signer and "kid" (maybe empty). A
// public or symmetric key, or a key Sign would refuse (RSA under
// MinRSABits, EC on a curve other than P-256), is ErrUnsupportedKey; a
// document that is not a JWK is ErrMalformed. Errors never quote key
// material.
func ParsePrivateJWK(data []byte) (crypto.Signer, string, error) {
	if len(data) > MaxJWKSize {
		return nil, "", fmt.Errorf("%w: JWK of %d bytes, limit %d", ErrTooLarge, len(data), MaxJWKSize)
	}
	var probe struct {
		Kty string `json:"kty"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, "", fmt.Errorf("%w: JWK: not a JSON object", ErrMalformed)
	}
	var jwk gojose.JSONWebKey
	if err := jwk.UnmarshalJSON(data); err != nil {
		// go-jose's messages name fields, never their values.
		return nil, "", fmt.Errorf("%w: JWK of kty %q: %v", ErrMalformed, urlpolicy.Clip(probe.Kty, 16), err)
	}
	var s crypto.Signer
	switch k := jwk.Key.(type) {
	case *rsa.PrivateKey:
		if err := k.Validate(); err != nil {
			return nil, "", fmt.Errorf("%w: JWK: invalid RSA key: %v", ErrMalformed, err)
		}
		s = k
	case *ecdsa.PrivateKey:
		s = k
	case ed25519.PrivateKey:
		s = k
	default:
		return nil, "", fmt.Errorf("%w: JWK holds a %s, not a private signing key", ErrUnsupportedKey, keyKind(jwk.Key))
	}
	if _, err := signingAlg(s.Public()); err != nil {
		return nil, "", err
	}
	return s, jwk.KeyID, nil
}

// MarshalPublicJWK returns the public JWK of pub with kid, "use": "sig"
// and its "alg".
func MarshalPublicJWK(pub crypto.PublicKey, kid string) ([]byte, error) {
	alg, err := signingAlg(pub)
	if err != nil {
		return nil, err
	}
	return json.Marshal(gojose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"})
}

// MarshalPrivateJWK returns the private JWK of key with kid, for tests and
// tools that hand a key to a client.
func MarshalPrivateJWK(key crypto.Signer, kid string) ([]byte, error) {
	alg, err := signingAlg(key.Public())
	if err != nil {
		return nil, err
	}
	return json.Marshal(gojose.JSONWebKey{Key: key, KeyID: kid, Algorithm: alg, Use: "sig"})
}

func keyKind(k any) string {
	switch k.(type) {
	case []byte:
		return "symmetric key"
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return "public key"
	}
	return fmt.Sprintf("%T", k)
}
