// Package idtoken verifies OpenID Connect ID tokens (OpenID Connect Core
// 1.0 §3.1.3.7) signed by an issuer's keys: Google's, or any provider's
// found by discovery.
//
// # Verifying
//
// Build a [Verifier] once, from [Options] naming the issuer, the audiences
// (your client IDs) and where the keys are ([Options.JWKSURL], or
// [NewFromDiscovery]), and call [Verifier.Verify] for each token. It
// checks, in order: the token's size, its "alg" against an allowlist
// (RS256 and ES256 by default; "none" and HS* never), the signature with
// the key named by "kid", then "iss", "aud" (and "azp" when there are
// several audiences), "exp", "iat" and "nbf" with a clock skew of 300 s,
// and, when asked, the nonce ([WithNonce]) and "at_hash"
// ([WithAccessToken]).
//
// For Google, Options{Issuer: [GoogleIssuer]} fetches [GoogleCertsURL] and
// accepts both of Google's issuer spellings.
//
// # Keys
//
// The issuer's JWK set is fetched on first use, kept as long as its
// Cache-Control max-age says (between a minute and a day), and fetched
// again when a token names an unknown "kid", at most once per
// [Options.RefetchInterval] (10 s) however many such tokens arrive.
// Concurrent callers share one fetch; each can give up on its own context.
// Every body read is bounded.
//
// # Errors
//
// Every rejection wraps one sentinel, for errors.Is: [ErrMalformed],
// [ErrTooLarge], [ErrAlgNotAllowed], [ErrUnknownKID], [ErrBadSignature],
// [ErrKeys] (also [ErrKeySetTooLarge] or [ErrNoUsableKey] when that is
// why), [ErrIssuer], [ErrAudience], [ErrExpired], [ErrNotYetValid],
// [ErrNonce], [ErrAtHash]. No message quotes the token.
package idtoken
