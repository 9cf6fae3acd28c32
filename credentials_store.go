package oauth2client

import (
	"context"
	"fmt"
	"time"
)

// refreshStored refreshes inside the bound store's Update (DESIGN.md,
// "Storage: one rule"): when the stored entry holds a fresher token than
// ours, another thread, process or machine refreshed first and we adopt its
// token without a request; otherwise we refresh with the stored refresh
// token (it may have been rotated elsewhere) and store the result before
// returning it. An invalid_grant is stored as invalid credentials. An entry
// deleted meanwhile (a logout) is not written back: the credentials become
// invalid.
//
// When the store fails to write a token we obtained, the refresh fails (the
// token is never used unstored), but the token is kept in c.unsaved: its
// refresh token may have replaced the stored one at the server, which would
// then refuse the stored one. The next refresh stores the kept token (or
// refreshes with its refresh token) instead of using the stored one, unless
// the entry changed meanwhile.
func (c *Credentials) refreshStored(ctx context.Context) (*Token, error) {
	var (
		out      *Token
		reqErr   error         // a refusal whose invalid state was stored
		obtained *unsavedToken // the new token fn returned for storing
	)
	c.mu.Lock()
	pending := c.unsaved
	c.mu.Unlock()
	err := c.cfg.Store.Update(ctx, c.cfg.StoreKey, func(cur *Credentials) (*Credentials, error) {
		out, reqErr, obtained = nil, nil, nil
		now := c.now()
		mine := c.CurrentToken()
		base := mine
		if cur == nil {
			// The entry was deleted (a logout, or a revoke by another
			// holder): stay logged out rather than write it back.
			c.markInvalid()
			return nil, fmt.Errorf("%w: the stored entry %q was deleted", ErrInvalidCredentials, c.cfg.StoreKey)
		}
		if cur.Invalid() {
			c.markInvalid()
			return nil, ErrInvalidCredentials
		}
		stored := cur.CurrentToken()
		p := pending
		if p != nil && !sameToken(p.over, stored) {
			p = nil // the entry changed since our failed write: it wins
		}
		switch {
		case p != nil:
			base = p.tok
			if p.tok.Valid(now) {
				out, obtained = p.tok, p
				return c.snapshot(p.tok), nil
			}
		case fresherThan(stored, mine, now):
			out = stored
			return nil, nil
		case stored != nil && stored.RefreshToken != "":
			base = stored
		}
		tok, err := c.refreshWith(ctx, base)
		if err != nil {
			// Only the server's invalid_grant is stored as invalid.
			if isInvalidGrant(err) {
				reqErr = err
				return c.snapshot(nil), nil
			}
			return nil, err
		}
		out, obtained = tok, &unsavedToken{tok: tok, over: stored}
		return c.snapshot(tok), nil
	})
	c.mu.Lock()
	switch {
	case err != nil && obtained != nil:
		c.unsaved = obtained // for the next refresh to store
	case (err == nil || reqErr != nil) && c.unsaved == pending:
		c.unsaved = nil // stored, superseded by the entry, or refused
	}
	c.mu.Unlock()
	if reqErr != nil {
		return nil, reqErr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

// unsavedToken is a token a bound refresh obtained but failed to store,
// with the token the entry held then (nil for none).
type unsavedToken struct {
	tok  *Token
	over *Token
}

// sameToken reports whether a and b hold the same access and refresh
// tokens (or are both nil).
func sameToken(a, b *Token) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.AccessToken == b.AccessToken && a.RefreshToken == b.RefreshToken
}

// fresherThan reports whether stored is a usable token other than mine that
// expires later: one another holder of the store obtained.
func fresherThan(stored, mine *Token, now time.Time) bool {
	if stored == nil || !stored.Valid(now) {
		return false
	}
	if mine == nil {
		return true
	}
	if stored.AccessToken == mine.AccessToken {
		return false
	}
	return stored.Expiry.IsZero() || (!mine.Expiry.IsZero() && stored.Expiry.After(mine.Expiry))
}

// snapshot returns a copy of c to store, holding tok when it is not nil.
func (c *Credentials) snapshot(tok *Token) *Credentials {
	cfg := c.cfg
	cfg.Store, cfg.StoreKey = nil, ""
	n := c.WithConfig(cfg)
	if tok != nil {
		n.tok, n.idClaims, n.granted = tok, nil, nil
	}
	return n
}

// markInvalid marks the credentials invalid.
func (c *Credentials) markInvalid() {
	c.mu.Lock()
	c.invalid = true
	c.mu.Unlock()
}

// now reads the credentials' clock.
func (c *Credentials) now() time.Time {
	if c.cfg.Cache.Now != nil {
		return c.cfg.Cache.Now()
	}
	return time.Now()
}
