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
	user   *User
	creds  *oauth2client.Credentials
	client *http.Client
	scopes []string // granted
	loaded time.Time
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

// credCache keeps the entries of recently seen users by key, so that a
// request with a warm session reads no store.
type credCache struct {
	mu sync.RWMutex
	m  map[string]*entry
}

func (c *credCache) get(key string) *entry {
	c.mu.RLock()
	e := c.m[key]
	c.mu.RUnlock()
	return e
}

func (c *credCache) put(key string, e *entry) {
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]*entry)
	}
	if len(c.m) >= maxCached {
		for k := range c.m { // drop an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[key] = e
	c.mu.Unlock()
}

func (c *credCache) drop(key string) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
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
		user:   u,
		creds:  creds,
		client: creds.Client(nil),
		scopes: slices.Clone(st.EffectiveScopes()),
		loaded: a.now(),
	}
}

// entryFor returns the signed-in user of r, or nil. A user seen within
// Config.RecheckInterval is served from memory; others are read from the
// store. Only a failing store is an error.
func (a *App) entryFor(r *http.Request) (*entry, error) {
	key := a.session(r)
	if key == "" {
		return nil, nil
	}
	if e := a.cache.get(key); e != nil && a.now().Sub(e.loaded) < a.cfg.RecheckInterval && !e.creds.Invalid() {
		return e, nil
	}
	return a.load(r.Context(), key)
}

// load reads the entry key from the store into the cache; nil when it
// holds nothing usable (signed out, revoked, refused).
func (a *App) load(ctx context.Context, key string) (*entry, error) {
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
	a.cache.put(key, e)
	return e, nil
}
