// Package jose is the module's one importer of go-jose: it signs compact JWS
// (RFC 7515) with RSA, P-256 and Ed25519 keys, computes RFC 7638 key
// thumbprints, parses JWK sets (RFC 7517) and verifies compact JWS against
// an explicit algorithm allowlist and a key set.
//
// # Algorithms
//
// Only asymmetric algorithms are ever accepted: "none" and the HMAC family
// (HS256, ...) are refused even when a caller lists them, so a public key
// can never be used as an HMAC secret.
//
// # Errors
//
// Verification failures wrap one of the sentinels [ErrMalformed],
// [ErrTooLarge], [ErrAlgNotAllowed], [ErrUnknownKID] and [ErrBadSignature],
// for use with errors.Is. No error message contains the token.
package jose
