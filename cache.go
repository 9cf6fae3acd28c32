package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"
)

// Cache defaults; see [CacheOptions].
const (
	defaultRefreshWindow = 3*time.Minute + 45*time.Second
	defaultSafetyMargin  = 10 * time.Second
	// defaultRefreshTimeout bounds a refresh that runs detached from its
	// callers: room for three tries of DefaultRequestTimeout and their
	// backoff.
	defaultRefreshTimeout = 90 * time.Second
	// minBackoff and maxBackoff bound the pause after a failed refresh,
	// before jitter.
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
	// jitterFraction spreads each pause uniformly over ±20% of it, so that
	// processes that failed together do not retry together.
	jitterFraction = 0.2
	// rejectGrace is how long a token is protected from a 401-triggered
	// refresh after it was received, and the first quiet period of a token
	// obtained because the one before it was rejected; maxRejectPause bounds
	// that period as it doubles. See [CachedSource.TokenRejected].
	rejectGrace    = 10 * time.Second
	maxRejectPause = 5 * time.Minute
)

// CacheOptions tune a [CachedSource]. The zero value gives the defaults.
type CacheOptions struct {
	// RefreshWindow is how long before expiry a token becomes stale: it is
	// still served, and one background refresh starts. Zero means
	// min(3m45s, half the token's lifetime). A larger value is cut to half
	// the lifetime, so that no token is born stale.
	RefreshWindow time.Duration
	// SafetyMargin is how long before expiry a token counts as expired:
	// callers then wait for one shared refresh. Zero means
	// min(10s, a tenth of the token's lifetime). A larger value is cut to
	// half the lifetime, so that no token is born expired.
	//
	// The lifetime is the expiry minus the time the cache received the
	// token. For the initial token, whose age is unknown, it is the
	// token response's expires_in when Token.Raw holds one (as after a code
	// exchange); otherwise the plain defaults (3m45s and 10s) or the
	// configured values apply as they are.
	SafetyMargin time.Duration
	// Foreground makes a stale token refresh in the caller's goroutine
	// rather than in the background; for short-lived processes such as
	// command-line tools, which would exit before a background refresh ends.
	// Concurrent callers still share one refresh, and if it fails the
	// still-valid stale token is served.
	Foreground bool
	// RefreshTimeout bounds one refresh, which runs detached from the
	// callers' cancellation (a caller may leave; the refresh goes on for
	// the others). Zero means 90 s: three tries of the default HTTP
	// client's 20 s limit and their backoff. Negative means no limit of its
	// own, for a source whose requests are bounded otherwise.
	RefreshTimeout time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// OnToken, when set, is called with each new token before it is served.
	// It runs in the goroutine that refreshed and must not block for long.
	// It must not call Token, Refresh or TokenRejected of the same cache:
	// with an expired token they would wait for the refresh that is
	// calling OnToken.
	OnToken func(*Token)
	// Logger, when set, receives debug lines about refreshes (start, end,
	// outcome), backoff (with the jittered pause) and the decisions taken
	// on tokens a resource server rejected. No line carries a token or
	// secret. Nil means silent.
	Logger *slog.Logger
}

// CachedSource is a [TokenSource] that caches the token of another source
// and refreshes it ahead of expiry. A token is in one of three states:
//
//   - fresh: served as is, without locking or allocating;
//   - stale (inside the refresh window): served as is while one background
//     refresh runs (or, with [CacheOptions.Foreground], while the caller
//     waits for one shared refresh);
//   - expired (inside the safety margin, or no token at all): callers wait
//     for one shared refresh, each free to give up on its own context while
//     the refresh goes on for the others.
//
// A token without an expiry is always fresh. A refresh runs on a context
// detached from its callers' cancellation (keeping their values), bounded
// by [CacheOptions.RefreshTimeout] (90 s by default). A failed refresh is
// returned to the callers that waited for it; later callers with an
// expired token get the same error at once until a backoff ends (1s,
// doubling up to 30s, each pause spread by a random ±20% so that processes
// failing together do not retry together; reset by a success), so a failing source is never called in a hot loop.
// A stale token that is still valid keeps being served meanwhile.
//
// A token a resource server rejects (HTTP 401) is replaced at most once;
// see [CachedSource.TokenRejected] for when a rejection refreshes.
//
// CachedSource is safe for concurrent use.
type CachedSource struct {
	src     TokenSource
	opts    CacheOptions
	onToken func(*Token)
	now     func() time.Time
	log     *slog.Logger   // nil: silent
	rand    func() float64 // uniform in [0, 1); drives the jitter

	// cur is the current token with its precomputed state boundaries. It is
	// replaced, never modified, so readers need no lock. Writers hold mu.
	cur atomic.Pointer[cacheEntry]

	mu      sync.Mutex    // guards the fields below; never held across a call to src
	fl      *flight       // the refresh in progress, if any
	lastErr error         // the error of the last refresh, if it failed
	retryAt time.Time     // no automatic refresh before this, after a failure
	backoff time.Duration // the pause that followed the last failure

	// Test hooks, nil outside tests: waiting is called when a caller starts
	// waiting for a refresh, refreshed when a refresh has ended.
	waiting   func()
	refreshed func()
}

// cacheEntry is an immutable snapshot of the cached token.
type cacheEntry struct {
	tok       *Token
	forever   bool      // the token has no expiry: always fresh
	staleAt   time.Time // fresh before this
	expiredAt time.Time // stale before this, expired from it on

	// received is when the cache received the token; zero for the
	// initial token, whose age is unknown.
	received time.Time
	// quietUntil: a 401 on the token before this refreshes nothing.
	quietUntil time.Time
	// pause is the quiet period (before jitter) of a token obtained
	// because the one before it was rejected; zero otherwise.
	pause time.Duration
}

// flight is one refresh shared by every caller that waits for it.
type flight struct {
	done   chan struct{} // closed when tok and err are set
	reason string        // why it started, for the log
	pause  time.Duration // for a 401-triggered refresh: the new token's quiet period
	tok    *Token
	err    error
}

// NewCachedSource returns a cache over src, which is called to obtain each
// new token, starting with initial (nil means none). opts may be nil; it
// is copied.
func NewCachedSource(src TokenSource, initial *Token, opts *CacheOptions) *CachedSource {
	c := &CachedSource{src: src}
	if opts != nil {
		c.opts = *opts
	}
	c.opts.RefreshWindow = max(c.opts.RefreshWindow, 0)
	c.opts.SafetyMargin = max(c.opts.SafetyMargin, 0)
	c.now = c.opts.Now
	if c.now == nil {
		c.now = time.Now
	}
	c.onToken = c.opts.OnToken
	c.log = c.opts.Logger
	c.rand = rand.Float64
	if initial != nil {
		c.cur.Store(c.newEntry(initial, time.Time{}))
	}
	return c
}

// newEntry computes the state boundaries of t, received at received (zero
// when unknown, as for the initial token).
func (c *CachedSource) newEntry(t *Token, received time.Time) *cacheEntry {
	e := &cacheEntry{tok: t, received: received}
	if !received.IsZero() {
		e.quietUntil = received.Add(rejectGrace)
	} else if secs, err := expiresIn(t.Raw["expires_in"]); err == nil && secs > 0 && !t.Expiry.IsZero() {
		// An initial token read back from a store or a file, with its token
		// response: it was issued at its expiry minus its lifetime, so a
		// 401 right after another process refreshed it does not refresh
		// it again.
		e.quietUntil = t.Expiry.Add(-time.Duration(secs) * time.Second).Add(rejectGrace)
	}
	switch {
	case t.AccessToken == "":
		// No access token: expired from the start (zero boundaries).
		return e
	case t.Expiry.IsZero():
		e.forever = true
		return e
	}
	window, margin := c.opts.RefreshWindow, c.opts.SafetyMargin
	var life time.Duration
	if !received.IsZero() {
		life = max(t.Expiry.Sub(received), 0)
	} else if secs, err := expiresIn(t.Raw["expires_in"]); err == nil && secs > 0 {
		// An initial token straight from a token response (a code
		// exchange) says how long it lives, though not how old it is.
		life = time.Duration(secs) * time.Second
	}
	if life == 0 {
		if window == 0 {
			window = defaultRefreshWindow
		}
		if margin == 0 {
			margin = defaultSafetyMargin
		}
	} else {
		if window == 0 {
			window = min(defaultRefreshWindow, life/2)
		}
		if margin == 0 {
			margin = min(defaultSafetyMargin, life/10)
		}
		window = min(window, life/2)
		margin = min(margin, life/2)
	}
	e.expiredAt = t.Expiry.Add(-margin)
	e.staleAt = t.Expiry.Add(-window)
	if e.expiredAt.Before(e.staleAt) {
		e.staleAt = e.expiredAt
	}
	return e
}

// Token returns the cached token or a new one; see [CachedSource].
// The returned token must not be modified.
func (c *CachedSource) Token(ctx context.Context) (*Token, error) {
	now := c.now()
	if e := c.cur.Load(); e != nil && (e.forever || now.Before(e.staleAt)) {
		return e.tok, nil // fresh: the fast path
	}
	return c.slowToken(ctx, now)
}

// slowToken handles a stale, expired or missing token.
func (c *CachedSource) slowToken(ctx context.Context, now time.Time) (*Token, error) {
	c.mu.Lock()
	e := c.cur.Load() // may have changed since Token looked
	switch {
	case e != nil && (e.forever || now.Before(e.staleAt)):
		c.mu.Unlock()
		return e.tok, nil
	case e != nil && now.Before(e.expiredAt):
		// Stale: serve it, and refresh unless one runs or we are backing off.
		f := c.fl
		if f == nil && !now.Before(c.retryAt) {
			f = c.startLocked(ctx, "stale", 0)
		}
		c.mu.Unlock()
		if c.opts.Foreground && f != nil {
			if t, err := c.wait(ctx, f); err == nil {
				return t, nil
			}
		}
		return e.tok, nil
	}
	// Expired, or no token: wait for a shared refresh.
	if c.fl == nil && c.lastErr != nil && now.Before(c.retryAt) {
		err := c.lastErr
		c.mu.Unlock()
		return nil, err
	}
	reason := "expired"
	if e == nil {
		reason = "no token"
	}
	f := c.startLocked(ctx, reason, 0)
	c.mu.Unlock()
	return c.wait(ctx, f)
}

// Refresh obtains a new token now, whatever the state of the current one,
// ignoring any backoff. Concurrent calls share one request, and a refresh
// already running is joined rather than repeated.
func (c *CachedSource) Refresh(ctx context.Context) (*Token, error) {
	c.mu.Lock()
	f := c.startLocked(ctx, "forced", 0)
	c.mu.Unlock()
	return c.wait(ctx, f)
}

// ErrTokenRejected means a resource server rejected a token that is not
// replaced, because a refresh would most likely bring a token rejected in
// the same way: it was received moments ago, or in answer to an earlier
// rejection. See [CachedSource.TokenRejected].
var ErrTokenRejected = errors.New("oauth2client: token rejected, and too recent to be replaced")

// TokenRejected implements [TokenRejecter]; [Transport] calls it after a
// 401. It refreshes at most once per token, and only when a refresh can
// help:
//
//   - rejected (the same pointer, or the same access token) is no longer
//     the current token: the current token is returned as
//     [CachedSource.Token] would, with no refresh;
//   - a refresh is running: it is joined, so concurrent rejections of one
//     token share one refresh;
//   - the last refresh failed and its backoff has not ended: its error;
//   - the current token was received less than 10s ago, or it was itself
//     obtained because the token before it was rejected and its quiet
//     period (10s, doubled each time a token obtained this way is rejected
//     within twice its own quiet period, up to 5m, spread by ±20%) has not
//     ended: an error wrapping [ErrTokenRejected], with no refresh;
//   - otherwise one shared refresh replaces it.
//
// So a resource server that rejects every token causes one refresh, then
// ever rarer ones, rather than one per request; one that stops accepting
// a token it accepted before (a revocation, a key rotation) gets a new one.
// The initial token given to [NewCachedSource] is held as received when
// its token response (Token.Raw) gives its lifetime: its expiry minus
// expires_in. Otherwise its age is unknown, and it is refreshed on its
// first rejection.
func (c *CachedSource) TokenRejected(ctx context.Context, rejected *Token) (*Token, error) {
	c.mu.Lock()
	e := c.cur.Load()
	if e == nil || rejected == nil || (e.tok != rejected && e.tok.AccessToken != rejected.AccessToken) {
		c.mu.Unlock()
		c.debug(ctx, "oauth2client: rejected token already replaced; no refresh")
		return c.Token(ctx)
	}
	if f := c.fl; f != nil {
		c.mu.Unlock()
		c.debug(ctx, "oauth2client: rejected token; joining the refresh in progress")
		return c.wait(ctx, f)
	}
	now := c.now()
	if c.lastErr != nil && now.Before(c.retryAt) {
		err, wait := c.lastErr, c.retryAt.Sub(now)
		c.mu.Unlock()
		c.debug(ctx, "oauth2client: rejected token; no refresh: backing off after a failed refresh",
			slog.Duration("retry_in", wait))
		return nil, err
	}
	if now.Before(e.quietUntil) {
		c.mu.Unlock()
		why := "received moments ago"
		if e.pause > 0 {
			why = "obtained in answer to an earlier rejection"
		}
		age, wait := now.Sub(e.received), e.quietUntil.Sub(now)
		c.debug(ctx, "oauth2client: rejected token; no refresh: "+why,
			slog.Duration("age", age), slog.Duration("refresh_possible_in", wait))
		return nil, fmt.Errorf("oauth2client: token rejected by the resource server, %s (%s ago); no refresh for another %s: %w",
			why, age.Round(time.Millisecond), wait.Round(time.Millisecond), ErrTokenRejected)
	}
	pause := rejectGrace
	if e.pause > 0 && now.Before(e.received.Add(2*e.pause)) {
		pause = min(2*e.pause, maxRejectPause) // rejected again soon after: back off further
	}
	f := c.startLocked(ctx, "rejected", pause)
	c.mu.Unlock()
	return c.wait(ctx, f)
}

// startLocked returns the refresh in progress, or starts one on a context
// detached from ctx's cancellation, for reason (a word for the log). pause
// is non-zero for a refresh caused by a rejection: the quiet period of the
// token it brings. c.mu must be held.
func (c *CachedSource) startLocked(ctx context.Context, reason string, pause time.Duration) *flight {
	if c.fl != nil {
		return c.fl
	}
	f := &flight{done: make(chan struct{}), reason: reason, pause: pause}
	c.fl = f
	go c.run(context.WithoutCancel(ctx), f)
	return f
}

// wait waits for f to end or ctx to be done, whichever comes first.
func (c *CachedSource) wait(ctx context.Context, f *flight) (*Token, error) {
	if c.waiting != nil {
		c.waiting()
	}
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		select {
		case <-f.done: // both ready: prefer the result
			return f.tok, f.err
		default:
		}
		return nil, fmt.Errorf("oauth2client: waiting for a token refresh: %w", context.Cause(ctx))
	}
}

// errNoSource reports a refresh needed by a cache made without a source.
var errNoSource = errors.New("oauth2client: CachedSource has no source to refresh from")

// errNoToken reports a source that returned neither a token nor an error.
var errNoToken = errors.New("oauth2client: token source returned no token")

// fetch calls the source with a timeout. A panic in the source becomes an
// error for the callers waiting on this refresh: it runs on a goroutine of
// its own, where a panic would end the whole process.
func (c *CachedSource) fetch(ctx context.Context) (tok *Token, err error) {
	cancel := context.CancelFunc(func() {})
	switch t := c.opts.RefreshTimeout; {
	case t == 0:
		ctx, cancel = context.WithTimeout(ctx, defaultRefreshTimeout)
	case t > 0:
		ctx, cancel = context.WithTimeout(ctx, t)
	}
	defer cancel()
	defer func() {
		if p := recover(); p != nil {
			tok, err = nil, fmt.Errorf("oauth2client: token source panicked: %v", p)
		}
	}()
	return c.src.Token(ctx)
}

// run calls src for f, then records and publishes the outcome.
func (c *CachedSource) run(ctx context.Context, f *flight) {
	c.debug(ctx, "oauth2client: token refresh started", slog.String("reason", f.reason))
	start := c.now()
	var tok *Token
	err := errNoSource
	if c.src != nil {
		tok, err = c.fetch(ctx)
	}
	now := c.now()
	switch {
	case err != nil:
	case tok == nil:
		err = errNoToken
	case !tok.Valid(now):
		err = fmt.Errorf("oauth2client: token source returned an expired token (expiry %s)", tok.Expiry.Format(time.RFC3339))
	}
	var e *cacheEntry
	if err == nil {
		e = c.newEntry(tok, now)
		if f.pause > 0 {
			e.pause = f.pause
			e.quietUntil = now.Add(c.jitter(f.pause))
		}
		if c.onToken != nil {
			c.onToken(tok) // before the token is served to anyone
		}
	}
	var wait time.Duration
	c.mu.Lock()
	if err != nil {
		c.backoff = min(max(2*c.backoff, minBackoff), maxBackoff)
		wait = c.jitter(c.backoff)
		c.retryAt = now.Add(wait)
		c.lastErr = err
		tok = nil
	} else {
		c.cur.Store(e)
		c.backoff, c.retryAt, c.lastErr = 0, time.Time{}, nil
	}
	c.fl = nil
	c.mu.Unlock()
	if err != nil {
		c.debug(ctx, "oauth2client: token refresh failed; backing off", slog.String("reason", f.reason),
			slog.Duration("took", now.Sub(start)), slog.String("error", err.Error()), slog.Duration("backoff", wait))
	} else {
		attrs := []slog.Attr{slog.String("reason", f.reason), slog.Duration("took", now.Sub(start))}
		if !tok.Expiry.IsZero() {
			attrs = append(attrs, slog.Duration("expires_in", tok.Expiry.Sub(now)))
		}
		if f.pause > 0 {
			attrs = append(attrs, slog.Duration("no_rejection_refresh_for", e.quietUntil.Sub(now)))
		}
		c.debug(ctx, "oauth2client: token refresh succeeded", attrs...)
	}
	f.tok, f.err = tok, err
	close(f.done)
	if c.refreshed != nil {
		c.refreshed()
	}
}

// jitter spreads d uniformly over d ± 20%.
func (c *CachedSource) jitter(d time.Duration) time.Duration {
	return d + time.Duration((2*c.rand()-1)*jitterFraction*float64(d))
}

// debug logs msg at debug level, if the cache has a logger.
func (c *CachedSource) debug(ctx context.Context, msg string, attrs ...slog.Attr) {
	if c.log != nil {
		c.log.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
	}
}
