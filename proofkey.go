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
// agree, on c not yet shared: a DPoP prover as ProofBinder is kept in the
// extension field "dpop"; without a ProofBinder, the key that field holds
// becomes it. A key that cannot be kept or read is remembered as c.keyErr.
func (c *Credentials) bindProofKey() {
	if c.cfg.ProofBinder != nil {
		if dpophook.Save == nil {
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
		return
	}
	raw, ok := c.ext[dpophook.Extension]
	if !ok {
		return
	}
	if dpophook.Load == nil {
		c.keyErr = errNoDPoPPackage
		return
	}
	b, err := dpophook.Load(raw)
	if err != nil {
		c.keyErr = err
		return
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
