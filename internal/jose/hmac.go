package jose

import (
	"encoding/json"
	"fmt"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// HS256 is the HMAC SHA-256 algorithm name (RFC 7518 §3.2).
const HS256 = "HS256"

// MinHMACKeyBytes is the shortest HS256 secret: RFC 7518 §3.2 requires a
// key at least as long as the hash output.
const MinHMACKeyBytes = 32

// SignHS256 returns the compact JWS of json.Marshal(claims) with the
// HMAC SHA-256 of secret (RFC 7518 §3.2), as for client_secret_jwt
// (OIDC Core §9). The header's "typ" is set when not empty.
func SignHS256(secret []byte, typ string, claims any) (string, error) {
	if len(secret) < MinHMACKeyBytes {
		return "", fmt.Errorf("%w: HMAC secret of %d bytes, need at least %d", ErrUnsupportedKey, len(secret), MinHMACKeyBytes)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jose: encoding claims: %w", err)
	}
	return signCompact(gojose.SigningKey{Algorithm: gojose.HS256, Key: secret}, "", typ, payload)
}

// VerifyHS256 checks a compact JWS whose "alg" must be HS256 against
// secret and returns its payload. It is the only way this package accepts
// a symmetric algorithm: the caller names it, never the token.
func VerifyHS256(compact string, secret []byte) ([]byte, error) {
	if len(compact) > MaxCompactSize {
		return nil, fmt.Errorf("%w: JWS of %d bytes, limit %d", ErrTooLarge, len(compact), MaxCompactSize)
	}
	if strings.Count(compact, ".") != 2 {
		return nil, fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	if len(secret) < MinHMACKeyBytes {
		return nil, fmt.Errorf("%w: HMAC secret of %d bytes, need at least %d", ErrUnsupportedKey, len(secret), MinHMACKeyBytes)
	}
	obj, err := gojose.ParseSignedCompact(compact, []gojose.SignatureAlgorithm{gojose.HS256})
	if err != nil {
		if alg, ok := headerAlg(compact); ok && alg != HS256 {
			return nil, fmt.Errorf("%w: %q", ErrAlgNotAllowed, urlpolicy.Clip(alg, 64))
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(obj.Signatures) != 1 {
		return nil, fmt.Errorf("%w: %d signatures", ErrMalformed, len(obj.Signatures))
	}
	payload, err := obj.Verify(secret)
	if err != nil {
		return nil, ErrBadSignature
	}
	return payload, nil
}
