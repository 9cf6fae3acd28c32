// Package jwks caches a JWK set (RFC 7517 §5) fetched from a URI: it keeps
// the set as long as the answer's Cache-Control max-age says (within
// bounds), merges concurrent fetches into one, refetches when a token
// names an unknown key id (at most once per RefetchInterval), and lets
// each waiter give up on its own context.
package jwks

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// Defaults of Options.
const (
	DefaultMinTTL          = time.Minute
	DefaultMaxTTL          = 24 * time.Hour
	DefaultTTL             = time.Hour
	DefaultRefetchInterval = 10 * time.Second
	DefaultMaxStale        = time.Hour
	// FetchTimeout bounds one fetch, which runs on behalf of every waiter
	// and so on none of their contexts.
	FetchTimeout = 30 * time.Second
)

// Errors of a fetch. A set with no usable key wraps jose.ErrNoUsableKey.
var (
	// ErrFetch reports a key set endpoint that could not be reached or
	// did not answer 200.
	ErrFetch = errors.New("jwks: fetching the key set")
	// ErrTooLarge reports a key set body over oauthhttp.MaxBody.
	ErrTooLarge = oauthhttp.ErrBodyTooLarge
)

// Options configure a Cache. Zero values mean the defaults.
type Options struct {
	// URL is the JWK set's URI: https, or http on a loopback host.
	URL string
	// Client sends the requests; nil means oauthhttp's default client.
	Client *http.Client
	// MinTTL and MaxTTL bound how long a fetched set is kept, whatever its
	// Cache-Control says; TTL is used when it says nothing.
	MinTTL, MaxTTL, TTL time.Duration
	// RefetchInterval is the least time between the starts of two fetches
	// made because of an unknown key id or an expired set.
	RefetchInterval time.Duration
	// MaxStale is how long past its expiry a set is still used while
	// refetches fail: a key the issuer withdrew must not verify tokens for
	// as long as an attacker can make the fetch fail. After it the set is
	// dropped and lookups fail until a fetch succeeds.
	MaxStale time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Logger receives debug records; nil means none.
	Logger *slog.Logger
}

// Cache is a cached JWK set, safe for concurrent use.
type Cache struct {
	opts Options

	mu sync.Mutex // guards the fields below
	// set is the last set fetched, nil before the first success.
	set *jose.KeySet
	// expires is when set goes stale.
	expires time.Time
	// lastStart is when the last fetch started (zero: never).
	lastStart time.Time
	// lastErr is the error of the last fetch, nil after a success: what
	// callers get while the rate limit holds and no set can be used.
	lastErr error
	// inflight is the fetch under way, nil when none.
	inflight *call
	// fetches counts fetches started, for tests and metrics.
	fetches int
}

// call is one fetch shared by its waiters.
type call struct {
	done chan struct{} // closed when set and err are final
	set  *jose.KeySet
	err  error
}

// New returns a cache for the set at o.URL. Nothing is fetched yet.
func New(o Options) (*Cache, error) {
	if o.URL == "" {
		return nil, errors.New("jwks: Options.URL is empty")
	}
	if o.MinTTL <= 0 {
		o.MinTTL = DefaultMinTTL
	}
	if o.MaxTTL <= 0 {
		o.MaxTTL = DefaultMaxTTL
	}
	if o.MaxTTL < o.MinTTL {
		o.MaxTTL = o.MinTTL
	}
	if o.TTL <= 0 {
		o.TTL = DefaultTTL
	}
	if o.RefetchInterval <= 0 {
		o.RefetchInterval = DefaultRefetchInterval
	}
	if o.MaxStale <= 0 {
		o.MaxStale = DefaultMaxStale
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Cache{opts: o}, nil
}

// Fetches returns how many fetches the cache has started.
func (c *Cache) Fetches() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fetches
}

// Keys returns the key set, fetching it when there is none or it is
// stale. A stale set is still returned when a refetch fails or is rate
// limited, for at most MaxStale past its expiry. Fetches start at most once
// per RefetchInterval, failed ones included: meanwhile a caller with no
// usable set gets the last fetch's error.
func (c *Cache) Keys(ctx context.Context) (*jose.KeySet, error) {
	return c.get(ctx, "")
}

// KeysFor returns the key set, refetching it first when it holds no key
// with this kid and the rate limit allows. The set returned may still lack
// the kid.
func (c *Cache) KeysFor(ctx context.Context, kid string) (*jose.KeySet, error) {
	return c.get(ctx, kid)
}

func (c *Cache) get(ctx context.Context, kid string) (*jose.KeySet, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	c.mu.Lock()
	now := c.opts.Now()
	if c.set != nil && !now.Before(c.expires.Add(c.opts.MaxStale)) {
		c.set = nil // too stale to trust
	}
	set := c.set
	fresh := set != nil && now.Before(c.expires)
	if fresh && (kid == "" || set.Has(kid)) {
		c.mu.Unlock()
		return set, nil
	}
	cl := c.inflight
	if cl == nil {
		if !c.lastStart.IsZero() && now.Sub(c.lastStart) < c.opts.RefetchInterval {
			// Rate limited: what we have, or why we have nothing.
			err := c.lastErr
			c.mu.Unlock()
			if set != nil {
				return set, nil
			}
			if err == nil {
				err = fmt.Errorf("%w: no key set yet", ErrFetch)
			}
			return nil, err
		}
		cl = &call{done: make(chan struct{})}
		c.inflight, c.lastStart = cl, now
		c.fetches++
		go c.fetch(context.WithoutCancel(ctx), cl)
	}
	c.mu.Unlock()
	select {
	case <-cl.done:
	case <-ctx.Done():
		return nil, fmt.Errorf("jwks: waiting for the key set: %w", ctx.Err())
	}
	if cl.err != nil {
		if set != nil {
			return set, nil
		}
		return nil, cl.err
	}
	return cl.set, nil
}

// fetch runs one fetch for its waiters and stores its outcome.
func (c *Cache) fetch(ctx context.Context, cl *call) {
	ctx, cancel := context.WithTimeout(ctx, FetchTimeout)
	defer cancel()
	set, ttl, err := c.load(ctx)
	if err != nil && c.opts.Logger != nil {
		c.opts.Logger.DebugContext(ctx, "jwks: fetch failed", slog.String("error", err.Error()))
	}
	c.mu.Lock()
	cl.set, cl.err = set, err
	c.lastErr = err
	if err == nil {
		c.set, c.expires = set, c.opts.Now().Add(ttl)
	}
	c.inflight = nil
	c.mu.Unlock()
	close(cl.done)
}

// load GETs the set and says how long to keep it.
func (c *Cache) load(ctx context.Context) (*jose.KeySet, time.Duration, error) {
	resp, err := oauthhttp.Do(ctx, &oauthhttp.Request{
		Endpoint: "jwks",
		Field:    "jwks_uri",
		URL:      c.opts.URL,
		Client:   c.opts.Client,
		Header:   http.Header{"Accept": {"application/jwk-set+json, application/json"}},
		Logger:   c.opts.Logger,
	})
	if err != nil {
		if errors.Is(err, oauthhttp.ErrBodyTooLarge) {
			return nil, 0, fmt.Errorf("jwks: key set: %w", err)
		}
		return nil, 0, fmt.Errorf("%w: %w", ErrFetch, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, 0, fmt.Errorf("%w: status %d", ErrFetch, resp.StatusCode)
	}
	set, err := jose.ParseKeySet(resp.Body)
	if err != nil {
		return nil, 0, fmt.Errorf("jwks: %w", err)
	}
	return set, c.ttl(resp.Header), nil
}

// ttl reads Cache-Control max-age (less Age) and bounds it.
func (c *Cache) ttl(h http.Header) time.Duration {
	ttl := c.opts.TTL
	if d, ok := maxAge(h.Get("Cache-Control")); ok {
		ttl = d
		if age, err := strconv.Atoi(strings.TrimSpace(h.Get("Age"))); err == nil && age > 0 {
			ttl -= time.Duration(age) * time.Second
		}
	}
	return min(max(ttl, c.opts.MinTTL), c.opts.MaxTTL)
}

// maxAge parses a Cache-Control header's max-age; no-store and no-cache
// count as zero.
func maxAge(cc string) (time.Duration, bool) {
	for d := range strings.SplitSeq(cc, ",") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), "=")
		switch strings.ToLower(name) {
		case "no-store", "no-cache":
			return 0, true
		case "max-age":
			n, err := strconv.ParseInt(strings.Trim(val, `"`), 10, 64)
			if err != nil || n < 0 {
				continue
			}
			n = min(n, int64(365*24*3600))
			return time.Duration(n) * time.Second, true
		}
	}
	return 0, false
}
