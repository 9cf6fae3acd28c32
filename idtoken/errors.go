package idtoken

import (
	"errors"
	"fmt"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/internal/jwks"
)

// Sentinel errors of [Verifier.Verify], for use with errors.Is. The
// messages never quote the token.
var (
	// ErrMalformed reports a token that is not a compact JWS with a JSON
	// claims object, or whose required claims are missing or ill-typed.
	ErrMalformed = errors.New("idtoken: malformed token")
	// ErrTooLarge reports a token longer than MaxTokenSize.
	ErrTooLarge = errors.New("idtoken: token too large")
	// ErrAlgNotAllowed reports an "alg" outside the verifier's allowlist;
	// "none" and HS* are never allowed.
	ErrAlgNotAllowed = errors.New("idtoken: signing algorithm not allowed")
	// ErrUnknownKID reports a "kid" that names no key of the issuer's set,
	// even after a refetch.
	ErrUnknownKID = errors.New("idtoken: unknown key id")
	// ErrBadSignature reports a signature that does not verify: a forged or
	// altered token.
	ErrBadSignature = errors.New("idtoken: bad signature")
	// ErrKeys reports an issuer key set that could not be fetched, was too
	// large, or held no usable key; the last two also match
	// ErrKeySetTooLarge and ErrNoUsableKey.
	ErrKeys = errors.New("idtoken: issuer keys unavailable")
	// ErrKeySetTooLarge reports a JWK set body over 1 MiB.
	ErrKeySetTooLarge = errors.New("idtoken: key set too large")
	// ErrNoUsableKey reports a JWK set without one key usable for
	// verification (RSA of 2048 bits or more, ECDSA, Ed25519; "use": "sig").
	ErrNoUsableKey = errors.New("idtoken: no usable key in the key set")
	// ErrIssuer reports an "iss" other than the expected issuer.
	ErrIssuer = errors.New("idtoken: wrong issuer")
	// ErrAudience reports an "aud" naming none of the expected audiences,
	// or, with several audiences, an "azp" missing or not one of them.
	ErrAudience = errors.New("idtoken: wrong audience")
	// ErrExpired reports a token past its "exp" (beyond the skew).
	ErrExpired = errors.New("idtoken: token expired")
	// ErrNotYetValid reports a token whose "nbf" or "iat" is in the future
	// (beyond the skew).
	ErrNotYetValid = errors.New("idtoken: token not yet valid")
	// ErrNonce reports a "nonce" other than the one expected.
	ErrNonce = errors.New("idtoken: nonce mismatch")
	// ErrAtHash reports an "at_hash" that does not match the access token.
	ErrAtHash = errors.New("idtoken: at_hash mismatch")
)

// joseErr maps an error of internal/jose or internal/jwks to this
// package's sentinel, keeping the cause's text.
func joseErr(err error) error {
	var s error
	switch {
	case errors.Is(err, jose.ErrTooLarge):
		s = ErrTooLarge
	case errors.Is(err, jose.ErrAlgNotAllowed):
		s = ErrAlgNotAllowed
	case errors.Is(err, jose.ErrUnknownKID):
		s = ErrUnknownKID
	case errors.Is(err, jose.ErrBadSignature):
		s = ErrBadSignature
	case errors.Is(err, jose.ErrNoUsableKey):
		return fmt.Errorf("%w: %w (%w)", ErrKeys, ErrNoUsableKey, err)
	case errors.Is(err, jwks.ErrTooLarge):
		return fmt.Errorf("%w: %w (%w)", ErrKeys, ErrKeySetTooLarge, err)
	case errors.Is(err, jwks.ErrFetch):
		s = ErrKeys
	case errors.Is(err, jose.ErrMalformed):
		s = ErrMalformed
	default:
		return fmt.Errorf("idtoken: %w", err)
	}
	return fmt.Errorf("%w (%w)", s, err)
}
