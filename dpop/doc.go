// Package dpop makes DPoP proofs (RFC 9449) for sender-constrained tokens.
//
// A [Prover] holds a DPoP key and implements oauth2client.ProofBinder: set
// it as Config.ProofBinder (or CredentialsConfig.ProofBinder,
// TokenRequest.ProofBinder) and the token requests carry proofs, the tokens
// issued are of type "DPoP", and the server's nonces are remembered per
// origin and retried once when asked for (RFC 9449 §8).
package dpop
