package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
)

// maxCached bounds the credentials kept in memory.
const maxCached = 10000

// entry is a signed-in user's credentials as kept in memory.
type entry struct {
	user    *User
	creds   *oauth2client.Credentials
	client  *http.Client
	scopes  []string // granted
	signIns []string // live sign-in ids (raw), see sessionsExtension
	loaded  time.Time
}

// hasScopes reports whether e's grant covers every one of need.
func (e *entry) hasScopes(need []string) bool {
	for _, s := range need {
		if !slices.Contains(e.scopes, s) {
			return false
		}
	}
	return true
}

// hasSignIn reports whether the sign-in id is one of e's live sign-ins.
func (e *entry) hasSignIn(id string) bool {
	return slices.Contains(e.signIns, id)
}

// credCache keeps the entries of recently seen users by key, so that a
// request with a warm session reads no store.
//
// A dropped key leaves a tombstone, numbered by a counter of drops: an
// entry read from the store before the drop (its mark, taken before the
// read, is lower) is not put back, so that a request racing a sign-out
// cannot revive the deleted session in memory.
type credCache struct {
	mu    sync.RWMutex
	m     map[string]slot
	drops uint64 // number of drops so far
	floor uint64 // highest drop number of an evicted tombstone
}

// slot is a cached entry, or a tombstone (e nil) left by drop number
// dropped.
type slot struct {
	e       *entry
	dropped uint64
}

func (c *credCache) get(key string) *entry {
	c.mu.RLock()
	s := c.m[key]
	c.mu.RUnlock()
	return s.e
}

// mark returns the number to pass to put for an entry about to be read
// from the store.
func (c *credCache) mark() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.drops
}

// put caches e under key, unless key was dropped after mark was taken.
func (c *credCache) put(key string, e *entry, mark uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[key]; ok {
		if s.e == nil && s.dropped > mark {
			return
		}
	} else if c.floor > mark {
		return // its tombstone may have been evicted
	}
	c.set(key, slot{e: e})
}

// drop forgets key, leaving a tombstone.
func (c *credCache) drop(key string) {
	c.mu.Lock()
	c.drops++
	c.set(key, slot{dropped: c.drops})
	c.mu.Unlock()
}

// set stores s under key, evicting an arbitrary slot when full. Callers
// hold c.mu.
func (c *credCache) set(key string, s slot) {
	if c.m == nil {
		c.m = make(map[string]slot)
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= maxCached {
		for k, old := range c.m {
			if old.e == nil {
				c.floor = max(c.floor, old.dropped)
			}
			delete(c.m, k)
			break
		}
	}
	c.m[key] = s
}

// credentialsConfig returns the run-time settings of the credentials of
// the store entry key: the flow's, bound to the entry.
func (a *App) credentialsConfig(key string) oauth2client.CredentialsConfig {
	f := a.cfg.Flow
	cache := f.Cache
	if cache.Now == nil {
		cache.Now = f.Now
	}
	return oauth2client.CredentialsConfig{
		UserInfoURI:     a.endpoint.UserInfoURL,
		HTTPClient:      f.HTTPClient,
		ClientAuth:      f.ClientAuth,
		ProofBinder:     f.ProofBinder,
		IDTokenVerifier: f.IDTokenVerifier,
		Retry:           f.Retry,
		Logger:          f.Logger,
		Cache:           cache,
		Store:           a.cfg.Store,
		StoreKey:        key,
	}
}

// newEntry makes the in-memory entry of stored credentials.
func (a *App) newEntry(key string, st *oauth2client.CredentialsState, u *User) *entry {
	creds := st.Credentials(a.credentialsConfig(key))
	u.Key = key
	return &entry{
		user:    u,
		creds:   creds,
		client:  creds.Client(nil),
		scopes:  slices.Clone(st.EffectiveScopes()),
		signIns: signInsFromState(st),
		loaded:  a.now(),
	}
}

// entryFor returns the signed-in user of r, or nil. A user seen within
// Config.RecheckInterval is served from memory; others, and sessions the
// memory does not know (a sign-in through another replica), are read
// from the store. A session whose sign-in id the entry does not list (it
// was signed out) has no user. Only a failing store is an error.
func (a *App) entryFor(r *http.Request) (*entry, error) {
	key, id := a.session(r)
	if key == "" {
		return nil, nil
	}
	if e := a.cache.get(key); e != nil && e.hasSignIn(id) && a.now().Sub(e.loaded) < a.cfg.RecheckInterval && !e.creds.Invalid() {
		return e, nil
	}
	e, err := a.load(r.Context(), key)
	if e == nil || err != nil || !e.hasSignIn(id) {
		return nil, err
	}
	return e, nil
}

// load reads the entry key from the store into the cache; nil when it
// holds nothing usable (signed out, revoked, refused).
func (a *App) load(ctx context.Context, key string) (*entry, error) {
	mark := a.cache.mark()
	st, err := a.cfg.Store.Load(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		a.cache.drop(key)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	u := userFromState(st)
	if st.Invalid || u == nil || UserKey(u.Issuer, st.ClientID, u.Subject) != key {
		a.cache.drop(key)
		return nil, nil
	}
	e := a.newEntry(key, st, u)
	a.cache.put(key, e, mark)
	return e, nil
}
