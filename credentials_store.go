package oauth2client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"time"
)

// errEntryChanged reports a stored entry whose refresh token another writer
// replaced while our refresh request was in flight, holding no valid access
// token to adopt: the next refresh uses the stored refresh token.
var errEntryChanged = errors.New("oauth2client: the stored entry changed during the refresh (another program stored other credentials); try again")

// refreshStored refreshes through the bound store with the store's locks
// off the network (DESIGN.md, "Storage: one rule"):
//
//  1. take the key's refresh lock (Store.LockRefresh), held to the end, so
//     that the holders of the store refresh one key one at a time;
//  2. read the entry in a short Update that writes nothing: deleted (a
//     logout, or a revoke by another holder) or invalid, the credentials
//     become invalid and nothing is requested or written; holding a fresher
//     token than ours, another holder refreshed first and we adopt it;
//  3. ask the token endpoint, holding no lock of the store but the refresh
//     lock, with the stored refresh token (it may have been rotated
//     elsewhere);
//  4. store the result in a second short Update that re-checks the entry
//     (see [CredentialsStore] for a writer that changed it meanwhile). An
//     invalid_grant is stored as invalid credentials.
//
// When the store fails to write a token we obtained, the refresh fails (the
// token is never used unstored), but the token is kept in c.unsaved: its
// refresh token may have replaced the stored one at the server, which would
// then refuse the stored one. The next refresh stores the kept token (or
// refreshes with its refresh token) instead of using the stored one, unless
// the entry changed meanwhile.
func (c *Credentials) refreshStored(ctx context.Context) (*Token, error) {
	st, key := c.cfg.Store, c.cfg.StoreKey
	unlock, err := st.LockRefresh(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("oauth2client: taking the refresh lock of the stored entry %q: %w", key, err)
	}
	defer unlock()

	var seen *CredentialsState
	err = st.Update(ctx, key, func(cur *CredentialsState) (*CredentialsState, error) {
		seen = cur
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	if err := c.checkEntry(seen); err != nil {
		return nil, err
	}
	stored := seen.Token
	now, mine := c.now(), c.CurrentToken()
	c.mu.Lock()
	pending := c.unsaved
	c.mu.Unlock()
	p := pending
	if p != nil && !sameToken(p.over, stored) {
		p = nil // the entry changed since our failed write: it wins
		c.dropUnsaved(pending)
	}
	base := mine
	switch {
	case p != nil && p.tok.Valid(now):
		return c.storeRefreshed(ctx, seen, pending, nil, p.tok)
	case p != nil:
		base = p.tok
	case fresherThan(stored, mine, now):
		return stored, nil
	case stored != nil && stored.RefreshToken != "":
		base = stored
	}
	tok, err := c.refreshWith(ctx, base)
	if err != nil {
		if isInvalidGrant(err) {
			// Only the server's invalid_grant is stored as invalid.
			return nil, c.storeInvalid(ctx, seen, pending, err)
		}
		return nil, err
	}
	return c.storeRefreshed(ctx, seen, pending, base, tok)
}

// checkEntry makes c invalid, with an error, when the stored entry cur is
// deleted or marked invalid.
func (c *Credentials) checkEntry(cur *CredentialsState) error {
	switch {
	case cur == nil:
		// Deleted (a logout, or a revoke by another holder): stay logged
		// out rather than write it back.
		c.markInvalid()
		return fmt.Errorf("%w: the stored entry %q was deleted", ErrInvalidCredentials, c.cfg.StoreKey)
	case cur.Invalid:
		c.markInvalid()
		return ErrInvalidCredentials
	}
	return nil
}

// replacedMeanwhile reports whether cur, read for the write after a
// refresh, holds another refresh token than used (the token whose refresh
// token the request sent; nil when no request was made) while it also
// differs from seen, read before: another writer replaced the credentials.
func replacedMeanwhile(seen, cur *CredentialsState, used *Token) bool {
	if sameToken(cur.Token, seen.Token) {
		return false
	}
	return used == nil || cur.Token == nil || cur.Token.RefreshToken != used.RefreshToken
}

// storeRefreshed stores tok, obtained with used's refresh token (nil: a
// token kept from a failed write), in a short Update that re-checks the
// entry read as seen, and returns the token to serve.
func (c *Credentials) storeRefreshed(ctx context.Context, seen *CredentialsState, pending *unsavedToken, used, tok *Token) (*Token, error) {
	var (
		out      *Token
		decided  error // fn's verdict on a changed entry
		over     *Token
		attempts bool // fn returned a state to write
	)
	err := c.cfg.Store.Update(ctx, c.cfg.StoreKey, func(cur *CredentialsState) (*CredentialsState, error) {
		out, decided, over, attempts = nil, nil, nil, false
		if decided = c.checkEntry(cur); decided != nil {
			return nil, decided
		}
		if c.Invalid() { // revoked while the request was in flight
			decided = ErrInvalidCredentials
			return nil, decided
		}
		if replacedMeanwhile(seen, cur, used) {
			if cur.Token.Valid(c.now()) {
				out = cur.Token
				return nil, nil
			}
			decided = errEntryChanged
			return nil, decided
		}
		out, over, attempts = tok, cur.Token, true
		return keepStoredExtensions(c.stateWith(tok), cur), nil
	})
	c.mu.Lock()
	switch {
	case err != nil && decided == nil:
		// The store failed: keep the token for the next refresh to store.
		if !attempts {
			over = seen.Token
		}
		c.unsaved = &unsavedToken{tok: tok, over: over}
	case c.unsaved == pending:
		c.unsaved = nil // stored, superseded by the entry, or refused
	}
	c.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// storeInvalid stores c, refused by the token endpoint with reqErr
// (invalid_grant), as invalid, unless the entry read as seen was deleted,
// marked invalid or replaced meanwhile. It returns reqErr, joined with the
// store's error if the write failed.
func (c *Credentials) storeInvalid(ctx context.Context, seen *CredentialsState, pending *unsavedToken, reqErr error) error {
	err := c.cfg.Store.Update(ctx, c.cfg.StoreKey, func(cur *CredentialsState) (*CredentialsState, error) {
		if cur == nil || cur.Invalid || !sameToken(cur.Token, seen.Token) {
			return nil, nil
		}
		return keepStoredExtensions(c.stateWith(nil), cur), nil
	})
	c.dropUnsaved(pending)
	if err != nil {
		return errors.Join(reqErr, err)
	}
	return reqErr
}

// dropUnsaved forgets the kept token p, unless a newer one replaced it.
func (c *Credentials) dropUnsaved(p *unsavedToken) {
	c.mu.Lock()
	if c.unsaved == p {
		c.unsaved = nil
	}
	c.mu.Unlock()
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

// stateWith returns c's state to store, holding tok when it is not nil
// (with the claims and granted scopes that came with c's token dropped).
func (c *Credentials) stateWith(tok *Token) *CredentialsState {
	s := c.State()
	if tok != nil {
		s.Token, s.IDTokenClaims, s.GrantedScopes = tok.Clone(), nil, nil
	}
	return s
}

// keepStoredExtensions returns s with the extension fields of the entry
// cur as they are stored now: a refresh writes its token, and must not put
// back the values these credentials read earlier of fields other holders
// of the store may have changed since (a web app's list of live sessions,
// say). Fields s has and cur lacks are kept from s.
func keepStoredExtensions(s, cur *CredentialsState) *CredentialsState {
	if len(cur.Extensions) == 0 {
		return s
	}
	merged := make(map[string]json.RawMessage, len(cur.Extensions)+len(s.Extensions))
	maps.Copy(merged, s.Extensions)
	for k, v := range cur.Extensions {
		merged[k] = bytes.Clone(v)
	}
	s.Extensions = merged
	return s
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
