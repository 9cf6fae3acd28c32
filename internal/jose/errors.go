package jose

import "errors"

// Sentinel errors wrapped by the verification functions.
var (
	// ErrMalformed reports a JWS or JWK set that cannot be parsed.
	ErrMalformed = errors.New("jose: malformed")
	// ErrTooLarge reports a JWS longer than MaxCompactSize.
	ErrTooLarge = errors.New("jose: too large")
	// ErrAlgNotAllowed reports a JWS whose "alg" is not in the allowlist,
	// or is "none" or symmetric.
	ErrAlgNotAllowed = errors.New("jose: algorithm not allowed")
	// ErrUnknownKID reports a JWS whose "kid" names no key of the set.
	ErrUnknownKID = errors.New("jose: unknown key id")
	// ErrBadSignature reports a signature that does not verify.
	ErrBadSignature = errors.New("jose: bad signature")
	// ErrNoUsableKey reports a JWK set with no key usable for verification.
	ErrNoUsableKey = errors.New("jose: no usable key in key set")
	// ErrUnsupportedKey reports a key of a type or size this package does
	// not sign or verify with.
	ErrUnsupportedKey = errors.New("jose: unsupported key")
)
