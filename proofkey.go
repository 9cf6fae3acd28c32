package oauth2client

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/oauth2client/oauth2client/internal/dpophook"
)

// ErrNoProofKey is wrapped by the errors of credentials whose token is
// bound to a key (a DPoP token) that they cannot use: none is held, or the
// stored one (the extension field "dpop") is missing or corrupt. Such
// credentials make no request with the token: a request without the key's
// proof would be refused, and could strand the refresh token.
var ErrNoProofKey = errors.New("oauth2client: the token is bound to a key the credentials cannot use")

// dpopTokenType is the token_type of DPoP-bound tokens (RFC 9449 §5).
const dpopTokenType = "DPoP"

// bindProofKey makes the credentials' ProofBinder and their stored key
// agree, on c not yet shared. A key the extension field "dpop" holds wins:
// the token is bound to it, so it becomes the ProofBinder when there is
// none or when it is a DPoP prover with another key (as a flow's, or a
// store.BindOptions', prover given to every entry is). Otherwise a DPoP
// prover as ProofBinder is kept in that field (new credentials). A
// ProofBinder of another kind is used as given. A key that cannot be kept
// or read is remembered as c.keyErr.
func (c *Credentials) bindProofKey() {
	if raw, ok := c.ext[dpophook.Extension]; ok && (c.cfg.ProofBinder == nil || isProver(c.cfg.ProofBinder)) {
		c.useStoredKey(raw)
		return
	}
	if c.cfg.ProofBinder == nil || dpophook.Save == nil {
		return
	}
	raw, ok, err := dpophook.Save(c.cfg.ProofBinder)
	switch {
	case !ok:
		return
	case err != nil:
		c.keyErr = err
		return
	}
	c.ext = maps.Clone(c.ext)
	if c.ext == nil {
		c.ext = map[string]json.RawMessage{}
	}
	c.ext[dpophook.Extension] = raw
}

// isProver reports whether b is a DPoP prover of package dpop.
func isProver(b ProofBinder) bool {
	if dpophook.JKT == nil {
		return false
	}
	_, ok := dpophook.JKT(b)
	return ok
}

// useStoredKey makes the key raw holds (the extension field "dpop") the
// credentials' ProofBinder, keeping the configured prover when it holds
// the same key.
func (c *Credentials) useStoredKey(raw json.RawMessage) {
	if dpophook.Load == nil {
		c.keyErr = errNoDPoPPackage
		return
	}
	b, err := dpophook.Load(raw)
	if err != nil {
		c.keyErr = err
		return
	}
	if c.cfg.ProofBinder != nil {
		stored, _ := dpophook.JKT(b)
		if mine, _ := dpophook.JKT(c.cfg.ProofBinder); mine == stored {
			return
		}
	}
	c.cfg.ProofBinder = b.(ProofBinder)
}

// CheckProofKey reports whether the credentials can use their token: an
// error wrapping [ErrNoProofKey], naming the store entry when they are
// bound to one, when the token is a DPoP token that no ProofBinder of
// theirs makes (its key is not held), or when the stored key is missing
// or corrupt. Refreshes fail with the same error,
// without a request; package store's Bind returns it at once.
func (c *Credentials) CheckProofKey() error {
	what := "credentials"
	if c.cfg.Store != nil {
		what = fmt.Sprintf("credentials of store entry %q", c.cfg.StoreKey)
	}
	if c.keyErr != nil {
		return fmt.Errorf("%w: %s: %w", ErrNoProofKey, what, c.keyErr)
	}
	tok := c.CurrentToken()
	if tok == nil || !strings.EqualFold(tok.TokenType, dpopTokenType) {
		return nil
	}
	if b := c.cfg.ProofBinder; b == nil || !strings.EqualFold(b.TokenType(), tok.TokenType) {
		return fmt.Errorf("%w: %s hold a token of type %q but no key to prove it with (no extension field %q)", ErrNoProofKey, what, tok.TokenType, dpophook.Extension)
	}
	return nil
}

// proofBinder returns the binder that proves the credentials' tokens, if
// any; a [Transport] with no ProofBinder of its own uses it.
func (c *Credentials) proofBinder() ProofBinder { return c.cfg.ProofBinder }
