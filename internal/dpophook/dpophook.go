// Package dpophook lets the root package make DPoP provers and keep their
// keys with stored credentials, although the prover lives in package dpop,
// which imports the root package: dpop sets the hooks in its init, and
// every package that can need them (the root package's users set
// Config.DPoP; package store loads entries) imports dpop.
package dpophook

import "encoding/json"

// Extension is the name of the extension field of stored credentials
// that keeps the DPoP key.
const Extension = "dpop"

// Hooks are set once, by package dpop's init; nil until then.
var (
	// New returns a new prover (an oauth2client.ProofBinder) with a new key
	// for alg ("ES256", "RS256" or "EdDSA").
	New func(alg string) (any, error)
	// Save returns the stored form of binder's key, and false when binder
	// is not a DPoP prover.
	Save func(binder any) (json.RawMessage, bool, error)
	// Load returns the prover (an oauth2client.ProofBinder) whose key raw
	// holds, as Save wrote it.
	Load func(raw json.RawMessage) (any, error)
	// JKT returns the thumbprint of binder's key, and false when binder is
	// not a DPoP prover.
	JKT func(binder any) (string, bool)
)
