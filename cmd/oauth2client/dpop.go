package main

import (
	"flag"
	"slices"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
)

// dpopHelp is the part of login's help about --dpop.
const dpopHelp = `

--dpop binds the tokens to a new DPoP key (RFC 9449): every token request
and every 'request' carries a proof signed by it, so a stolen token is of
no use without the key. The key (ES256, or --dpop-alg ES256, EdDSA or
RS256 among those the server lists) is stored with the credentials, as
secret as the refresh token, under the extension field "` + dpop.Extension + `":
the Python file formats cannot keep it, so use a store of the Go format,
keyring, sqlite or postgres. The authorization code is bound to the key
too (dpop_jkt).`

// dpopFlags are login's --dpop and --dpop-alg.
type dpopFlags struct {
	on  bool   // --dpop
	alg string // --dpop-alg
}

// register adds the flags to fs.
func (d *dpopFlags) register(fs *flag.FlagSet) {
	fs.BoolVar(&d.on, "dpop", false, "bind the tokens to a new DPoP key (RFC 9449), stored with the credentials")
	fs.StringVar(&d.alg, "dpop-alg", "", "with --dpop, the proof algorithm `ALG`: ES256 (default), EdDSA or RS256")
}

// check checks the flags.
func (d *dpopFlags) check() error {
	switch {
	case d.alg != "" && !d.on:
		return usagef("--dpop-alg needs --dpop")
	case d.alg != "" && !slices.Contains(dpop.Algorithms, d.alg):
		return usagef("--dpop-alg %q: want one of %q", d.alg, dpop.Algorithms)
	}
	return nil
}

// apply asks cfg for DPoP-bound tokens when --dpop is given.
func (d *dpopFlags) apply(cfg *oauth2client.Config) {
	if !d.on {
		return
	}
	cfg.DPoP = oauth2client.DPoPOptions{Mode: oauth2client.DPoPOn, BindCode: true}
	if d.alg != "" {
		cfg.DPoP.Algs = []string{d.alg}
	}
}

// binding describes how creds' tokens are bound: "DPoP" and the key's
// thumbprint, or "" for bearer tokens.
func binding(creds *oauth2client.Credentials) (kind, jkt string) {
	if creds == nil {
		return "", ""
	}
	p, ok := creds.Config().ProofBinder.(*dpop.Prover)
	if !ok {
		return "", ""
	}
	return dpop.TokenType, p.JKT()
}
