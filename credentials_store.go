package oauth2client

import (
	"context"
	"time"
)

// refreshStored refreshes inside the bound store's Update (DESIGN.md,
// "Storage: one rule"): when the stored entry holds a fresher token than
// ours, another thread, process or machine refreshed first and we adopt its
// token without a request; otherwise we refresh with the stored refresh
// token (it may have been rotated elsewhere) and store the result before
// returning it. An invalid_grant is stored as invalid credentials.
func (c *Credentials) refreshStored(ctx context.Context) (*Token, error) {
	var (
		out    *Token
		reqErr error // a refusal whose invalid state was stored
	)
	err := c.cfg.Store.Update(ctx, c.cfg.StoreKey, func(cur *Credentials) (*Credentials, error) {
		mine := c.CurrentToken()
		base := mine
		if cur != nil {
			if cur.Invalid() {
				c.markInvalid()
				return nil, ErrInvalidCredentials
			}
			stored := cur.CurrentToken()
			if fresherThan(stored, mine, c.now()) {
				out = stored
				return nil, nil
			}
			if stored != nil && stored.RefreshToken != "" {
				base = stored
			}
		}
		tok, err := c.refreshWith(ctx, base)
		if err != nil {
			// Only the server's invalid_grant is stored: credentials revoked
			// here meanwhile had their entry deleted, which must stay so.
			if isInvalidGrant(err) {
				reqErr = err
				return c.snapshot(nil), nil
			}
			return nil, err
		}
		out = tok
		return c.snapshot(tok), nil
	})
	if reqErr != nil {
		return nil, reqErr
	}
	if err != nil {
		return nil, err
	}
	return out, nil
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
