package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
)

// Sign returns the compact JWS (RFC 7515 §7.1) of json.Marshal(claims)
// signed with key. The algorithm follows the key: RS256 for RSA keys of at
// least 2048 bits, ES256 for P-256 ECDSA keys, EdDSA for Ed25519 keys. Keys
// held elsewhere (an HSM, a KMS) work when their Public half is of one of
// these types. The header's "kid" and "typ" are set when not empty.
func Sign(key crypto.Signer, kid, typ string, claims any) (string, error) {
	return signAsym(key, kid, typ, claims)
}

// SignEmbedded returns the compact JWS of json.Marshal(claims) signed with
// key, its header carrying "typ" and the public key as "jwk" (as DPoP
// proofs do, RFC 9449 §4.2). The algorithm follows the key as for [Sign].
func SignEmbedded(key crypto.Signer, typ string, claims any) (string, error) {
	s, err := NewEmbeddedSigner(key, typ)
	if err != nil {
		return "", err
	}
	return s.Sign(claims)
}

// signAsym is [Sign].
func signAsym(key crypto.Signer, kid, typ string, claims any) (string, error) {
	if key == nil {
		return "", fmt.Errorf("%w: nil key", ErrUnsupportedKey)
	}
	alg, err := signingAlg(key.Public())
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jose: encoding claims: %w", err)
	}
	var k any
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		k = key
	default:
		k = cryptosigner.Opaque(key)
	}
	return signCompact(gojose.SigningKey{Algorithm: gojose.SignatureAlgorithm(alg), Key: k}, kid, typ, payload)
}

// signCompact signs payload with key, setting the header's "kid" and
// "typ" when not empty, and returns the compact JWS.
func signCompact(key gojose.SigningKey, kid, typ string, payload []byte) (string, error) {
	opts := &gojose.SignerOptions{}
	if typ != "" {
		opts = opts.WithType(gojose.ContentType(typ))
	}
	if kid != "" {
		opts = opts.WithHeader(gojose.HeaderKey("kid"), kid)
	}
	signer, err := gojose.NewSigner(key, opts)
	if err != nil {
		return "", fmt.Errorf("jose: signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("jose: signing: %w", err)
	}
	return obj.CompactSerialize()
}

// Thumbprint returns the RFC 7638 thumbprint of pub: the base64url
// (unpadded) SHA-256 of its canonical JWK.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	switch pub.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
	default:
		return "", fmt.Errorf("%w: key type %T", ErrUnsupportedKey, pub)
	}
	jwk := gojose.JSONWebKey{Key: pub}
	sum, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("jose: thumbprint: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(sum), nil
}
