package oauth2client

import (
	"errors"
	"fmt"
	"slices"

	"github.com/oauth2client/oauth2client/internal/dpophook"
)

// DPoPMode says when a [Flow] binds its tokens to a DPoP key (RFC 9449).
type DPoPMode int

const (
	// DPoPOff (the zero value) makes bearer tokens, unless
	// Config.ProofBinder is set.
	DPoPOff DPoPMode = iota
	// DPoPOn binds the tokens to a new DPoP key.
	DPoPOn
	// DPoPAuto binds the tokens to a new DPoP key when the server lists
	// DPoP algorithms in its metadata (Endpoint.DPoPSigningAlgs, from
	// [Discover]), and makes bearer tokens otherwise.
	DPoPAuto
)

// DPoPOptions ask a [Flow] for DPoP-bound tokens (RFC 9449) with a key it
// generates; the zero value asks for none. Set Config.ProofBinder (a
// *dpop.Prover) instead to supply the key. Either way the flow's
// Credentials keep the key with them (see package dpop, Extension), so
// that a store keeps it too.
//
// Each [NewFlow] makes its own key: a web application that resumes an
// authorization in another process (see [Flow.Resume]) with BindCode set
// supplies the key itself, as ProofBinder, so that every process signs
// with it.
//
// The key is made by package dpop, which package store imports; a
// program that uses neither imports it for its side effect:
// import _ "github.com/oauth2client/oauth2client/dpop".
type DPoPOptions struct {
	// Mode says when to bind the tokens.
	Mode DPoPMode
	// Algs are the proof algorithms acceptable ("ES256", "EdDSA",
	// "RS256"), best first: the key is for the first one the server
	// lists, or the first one when it lists none. Nil means ES256, then
	// EdDSA, then RS256.
	Algs []string
	// BindCode sends the key's thumbprint as dpop_jkt with every
	// authorization request (RFC 9449 §10), binding the authorization
	// code to the key: only a token request with a proof by that key can
	// redeem it. It needs a key: Mode on, or a ProofBinder with a
	// JKT() string method, such as *dpop.Prover.
	BindCode bool
}

// defaultDPoPAlgs are the proof algorithms a flow prefers by default.
var defaultDPoPAlgs = []string{"ES256", "EdDSA", "RS256"}

// errNoDPoPPackage explains a DPoP key asked for without package dpop.
var errNoDPoPPackage = errors.New(`DPoP keys are made by package dpop: import _ "github.com/oauth2client/oauth2client/dpop"`)

// jktBinder is a ProofBinder that names its key's thumbprint.
type jktBinder interface{ JKT() string }

// resolveDPoP sets cfg.ProofBinder to a new DPoP prover when cfg.DPoP
// asks for one, and checks DPoP.BindCode.
func (cfg *Config) resolveDPoP() error {
	d := cfg.DPoP
	if cfg.ProofBinder == nil && d.Mode != DPoPOff {
		server := cfg.Endpoint.DPoPSigningAlgs
		if d.Mode == DPoPOn || len(server) > 0 {
			alg, err := chooseDPoPAlg(d.Algs, server)
			if err != nil {
				return err
			}
			if dpophook.New == nil {
				return fmt.Errorf("oauth2client: Config.DPoP: %w", errNoDPoPPackage)
			}
			b, err := dpophook.New(alg)
			if err != nil {
				return fmt.Errorf("oauth2client: Config.DPoP: %w", err)
			}
			cfg.ProofBinder = b.(ProofBinder)
		}
	}
	if d.BindCode && d.Mode != DPoPAuto {
		if _, ok := cfg.ProofBinder.(jktBinder); !ok {
			return errors.New("oauth2client: Config.DPoP.BindCode needs a DPoP key: set DPoP.Mode, or a ProofBinder such as *dpop.Prover")
		}
	}
	return nil
}

// chooseDPoPAlg returns the first of prefs (nil: the defaults) that the
// server lists, or the first of prefs when the server lists none.
func chooseDPoPAlg(prefs, server []string) (string, error) {
	if len(prefs) == 0 {
		prefs = defaultDPoPAlgs
	}
	if len(server) == 0 {
		return prefs[0], nil
	}
	for _, a := range prefs {
		if slices.Contains(server, a) {
			return a, nil
		}
	}
	return "", fmt.Errorf("oauth2client: Config.DPoP.Algs: none of %q is among the server's DPoP algorithms %q (dpop_signing_alg_values_supported)", prefs, server)
}

// dpopJKT returns the dpop_jkt an authorization request carries: the
// thumbprint of the flow's key when DPoP.BindCode asks for it, else "".
func (f *Flow) dpopJKT() string {
	if !f.cfg.DPoP.BindCode {
		return ""
	}
	if b, ok := f.cfg.ProofBinder.(jktBinder); ok {
		return b.JKT()
	}
	return ""
}
