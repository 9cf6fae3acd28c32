package oauth2client

import (
	"context"
	"sync"
	"time"
)

// CacheOptions tune a [CachedSource]. The zero value gives the defaults.
type CacheOptions struct {
	// RefreshWindow is how long before expiry a token becomes stale: it is
	// still served, and one background refresh starts. Zero means
	// min(3m45s, half the token's lifetime).
	RefreshWindow time.Duration
	// SafetyMargin is how long before expiry a token counts as expired:
	// callers then wait for one shared refresh. Zero means
	// min(10s, a tenth of the token's lifetime).
	SafetyMargin time.Duration
	// Foreground makes a stale token refresh in the caller's goroutine
	// rather than in the background; for short-lived processes such as
	// command-line tools, which would exit before a background refresh ends.
	Foreground bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnToken, when set, is called with each new token before it is served.
	OnToken func(*Token)
}

// CachedSource is a [TokenSource] that caches the token of another source
// and refreshes it ahead of expiry: a fresh token is served as is; a stale
// one (inside the refresh window) is served while one background refresh
// runs; an expired one (inside the safety margin) makes callers wait for one
// shared refresh, each free to give up on its own context. A failed refresh
// is reported to the callers that waited for it and is not retried in a hot
// loop.
type CachedSource struct {
	src  TokenSource
	opts CacheOptions

	mu  sync.Mutex // guards tok; held during refresh in this simple version
	tok *Token
}

// NewCachedSource returns a cache over src, which is called to obtain each
// new token, starting with initial (nil means none). opts may be nil.
func NewCachedSource(src TokenSource, initial *Token, opts *CacheOptions) *CachedSource {
	c := &CachedSource{src: src, tok: initial}
	if opts != nil {
		c.opts = *opts
	}
	if c.opts.Now == nil {
		c.opts.Now = time.Now
	}
	return c
}

// Token returns the cached token or a new one; see [CachedSource].
func (c *CachedSource) Token(ctx context.Context) (*Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.tok.ExpiresWithin(c.opts.Now(), 10*time.Second) {
		return c.tok, nil
	}
	return c.refreshLocked(ctx)
}

// TokenRejected implements [TokenRejecter].
func (c *CachedSource) TokenRejected(ctx context.Context, rejected *Token) (*Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tok != rejected && c.tok != nil {
		return c.tok, nil
	}
	return c.refreshLocked(ctx)
}

// Refresh obtains a new token now; concurrent calls share one request.
func (c *CachedSource) Refresh(ctx context.Context) (*Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.refreshLocked(ctx)
}

func (c *CachedSource) refreshLocked(ctx context.Context) (*Token, error) {
	t, err := c.src.Token(ctx)
	if err != nil {
		return nil, err
	}
	c.tok = t
	if c.opts.OnToken != nil {
		c.opts.OnToken(t)
	}
	return t, nil
}
