package clientauth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// MaxKeySize bounds the size of a key file or document ParseKey reads.
const MaxKeySize = 64 << 10

// ParseKey parses a private key from a PEM block (PKCS #8 "PRIVATE KEY",
// PKCS #1 "RSA PRIVATE KEY" or SEC 1 "EC PRIVATE KEY") or a private JWK,
// and returns it with the JWK's "kid" (empty for PEM). source names the
// data in errors (e.g. the file name). A key of the wrong type is a
// [*KeyTypeError]; errors never quote key material.
func ParseKey(data []byte, source string) (crypto.Signer, string, error) {
	if len(data) > MaxKeySize {
		return nil, "", fmt.Errorf("clientauth: %s: key of %d bytes, limit %d", source, len(data), MaxKeySize)
	}
	trimmed := bytes.TrimSpace(data)
	if bytes.HasPrefix(trimmed, []byte("{")) {
		key, kid, err := jose.ParsePrivateJWK(trimmed)
		if errors.Is(err, jose.ErrUnsupportedKey) {
			// jose's message says what the JWK holds, never its material.
			what := strings.TrimPrefix(err.Error(), jose.ErrUnsupportedKey.Error()+": ")
			return nil, "", &KeyTypeError{Source: source, Type: what, err: err}
		}
		if err != nil {
			return nil, "", fmt.Errorf("clientauth: %s: %w", source, err)
		}
		return key, kid, nil
	}
	block, _ := pem.Decode(trimmed)
	if block == nil {
		return nil, "", fmt.Errorf("clientauth: %s: neither a PEM block nor a JWK", source)
	}
	var parsed any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		parsed, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		parsed, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		parsed, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		return nil, "", &KeyTypeError{Source: source, Type: fmt.Sprintf("PEM block %q", urlpolicy.Clip(block.Type, 32)), err: jose.ErrUnsupportedKey}
	}
	if err != nil {
		return nil, "", fmt.Errorf("clientauth: %s: PEM %s: %w", source, block.Type, err)
	}
	key, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, "", &KeyTypeError{Source: source, Type: fmt.Sprintf("%T", parsed), err: jose.ErrUnsupportedKey}
	}
	if _, err := jose.SigningAlg(key.Public()); err != nil {
		return nil, "", &KeyTypeError{Source: source, Type: describe(key.Public()), err: err}
	}
	return key, "", nil
}

// ReadKeyFile reads and parses a private key file (PEM or JWK); see
// [ParseKey].
func ReadKeyFile(name string) (crypto.Signer, string, error) {
	data, err := safefile.ReadFile(name, MaxKeySize)
	if err != nil {
		return nil, "", fmt.Errorf("clientauth: reading key: %w", err)
	}
	return ParseKey(data, name)
}

// describe names a public key's type and size, for errors.
func describe(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA key of %d bits", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA key on " + k.Curve.Params().Name
	case ed25519.PublicKey:
		return "Ed25519 key"
	}
	return fmt.Sprintf("%T", pub)
}
