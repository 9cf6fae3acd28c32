package oauth2client

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// randomString returns n random bytes from crypto/rand, base64url-encoded
// without padding. crypto/rand.Read does not fail (Go 1.24+).
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// GenerateVerifier returns a new PKCE code verifier (RFC 7636 §4.1): 32
// bytes from crypto/rand, base64url-encoded into 43 characters of the
// unreserved set.
func GenerateVerifier() string { return randomString(32) }

// S256Challenge returns the S256 code challenge for verifier (RFC 7636
// §4.2): BASE64URL(SHA256(ASCII(verifier))), without padding.
func S256Challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// validVerifier reports whether v is a well-formed code verifier: 43 to 128
// characters of [A-Za-z0-9-._~] (RFC 7636 §4.1).
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9',
			c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}
