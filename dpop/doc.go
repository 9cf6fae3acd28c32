// Package dpop makes DPoP proofs (RFC 9449) for sender-constrained tokens.
//
// A [Prover] holds a DPoP key and implements oauth2client.ProofBinder: set
// it as Config.ProofBinder (or CredentialsConfig.ProofBinder,
// TokenRequest.ProofBinder, clientcredentials.Config.ProofBinder) and the
// token requests carry proofs, the tokens issued are of type "DPoP", and
// the server's nonces are remembered per origin and retried once when
// asked for (RFC 9449 §8). Config.DPoP (oauth2client.DPoPOptions) makes a
// Prover for a flow instead, choosing the algorithm among those the server
// lists.
//
// The key travels with the credentials it binds: their state holds it in
// the extension field [Extension] (a private JWK and its thumbprint), which
// every store of package store keeps, protected as the refresh token is,
// and credentials read back from a store or JSON sign with it again. The
// Python oauth2client file formats refuse such credentials, since Python
// would drop the key when it rewrites the file and strand the DPoP-bound
// refresh token. A stored key that is missing or damaged is an error
// wrapping oauth2client.ErrNoProofKey (and [ErrStoredKey] for a damaged
// one), and no request is sent without it.
//
// Importing this package (package store does) lets the root package make
// and restore Provers.
package dpop
