package jwks

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// jwksServer serves a set of the given kids, counting requests; the kids
// and headers can change between requests.
type jwksServer struct {
	*httptest.Server
	hits atomic.Int32
	mu   sync.Mutex
	body []byte
	cc   string
	gate chan struct{} // if not nil, requests wait for it to close
}

func newServer(t *testing.T, kids ...string) *jwksServer {
	t.Helper()
	s := &jwksServer{}
	s.setKids(t, kids...)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		body, cc, gate := s.body, s.cc, s.gate
		s.mu.Unlock()
		if gate != nil {
			<-gate
		}
		if cc != "" {
			w.Header().Set("Cache-Control", cc)
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) setKids(t *testing.T, kids ...string) {
	t.Helper()
	keys := make([]jose.Key, len(kids))
	for i, kid := range kids {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys[i] = jose.Key{KID: kid, Public: k.Public()}
	}
	body, err := jose.MarshalKeySet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	s.setBody(body)
}

func (s *jwksServer) setBody(b []byte) { s.mu.Lock(); s.body = b; s.mu.Unlock() }

func newCache(t *testing.T, url string, clk *clock) *Cache {
	t.Helper()
	c, err := New(Options{URL: url, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestColdStartSingleFlight(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "a")
	c := newCache(t, srv.URL, newClock())
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 64 {
		wg.Go(func() {
			set, err := c.KeysFor(context.Background(), "a")
			if err == nil && !set.Has("a") {
				err = errors.New("set lacks a")
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("64 cold callers made %d fetches, want 1", n)
	}
	t.Logf("reliability: 64 cold callers, %d JWKS fetch", srv.hits.Load())
}

func TestCacheControl(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		cc    string
		fresh time.Duration // still cached after this
		stale time.Duration // refetched after this
	}{
		{"max-age", "public, max-age=120", 119 * time.Second, 121 * time.Second},
		{"none means TTL", "", DefaultTTL - time.Second, DefaultTTL + time.Second},
		{"max-age=0 bounded by MinTTL", "max-age=0", DefaultMinTTL - time.Second, DefaultMinTTL + time.Second},
		{"no-store bounded by MinTTL", "no-store", DefaultMinTTL - time.Second, DefaultMinTTL + time.Second},
		{"huge bounded by MaxTTL", "max-age=999999999", DefaultMaxTTL - time.Second, DefaultMaxTTL + time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, "a")
			srv.mu.Lock()
			srv.cc = tc.cc
			srv.mu.Unlock()
			clk := newClock()
			c := newCache(t, srv.URL, clk)
			ctx := context.Background()
			if _, err := c.Keys(ctx); err != nil {
				t.Fatal(err)
			}
			clk.Add(tc.fresh)
			c.Keys(ctx)
			if n := srv.hits.Load(); n != 1 {
				t.Fatalf("after %v: %d fetches, want 1", tc.fresh, n)
			}
			clk.Add(tc.stale - tc.fresh)
			c.Keys(ctx)
			if n := srv.hits.Load(); n != 2 {
				t.Fatalf("after %v: %d fetches, want 2", tc.stale, n)
			}
		})
	}
}

func TestUnknownKIDRateLimited(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "a")
	clk := newClock()
	c := newCache(t, srv.URL, clk)
	ctx := context.Background()
	if _, err := c.Keys(ctx); err != nil {
		t.Fatal(err)
	}
	clk.Add(DefaultRefetchInterval) // the first fetch's period is over
	for range 1000 {
		set, err := c.KeysFor(ctx, "rotated")
		if err != nil || set.Has("rotated") {
			t.Fatalf("set has rotated = %v, err = %v", set != nil && set.Has("rotated"), err)
		}
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("1000 unknown kids made %d refetches, want 1", n-1)
	}
	t.Logf("reliability: 1000 tokens with an unknown kid, %d refetch in one period", srv.hits.Load()-1)
	// The provider rotates; after the period the next unknown kid refetches.
	srv.setKids(t, "rotated")
	clk.Add(DefaultRefetchInterval - time.Second)
	if set, _ := c.KeysFor(ctx, "rotated"); set.Has("rotated") {
		t.Fatal("refetched inside the period")
	}
	clk.Add(time.Second)
	if set, err := c.KeysFor(ctx, "rotated"); err != nil || !set.Has("rotated") {
		t.Fatalf("after the period: err = %v", err)
	}
	if n := srv.hits.Load(); n != 3 {
		t.Errorf("fetches = %d, want 3", n)
	}
}

func TestWaiterHonoursContext(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "a")
	gate := make(chan struct{})
	srv.mu.Lock()
	srv.gate = gate
	srv.mu.Unlock()
	c := newCache(t, srv.URL, newClock())
	ctx, cancel := context.WithCancel(context.Background())
	patient := make(chan error, 1)
	go func() { _, err := c.Keys(context.Background()); patient <- err }()
	impatient := make(chan error, 1)
	go func() { _, err := c.Keys(ctx); impatient <- err }()
	cancel()
	if err := <-impatient; !errors.Is(err, context.Canceled) {
		t.Fatalf("impatient waiter: err = %v", err)
	}
	close(gate)
	if err := <-patient; err != nil {
		t.Fatalf("patient waiter: %v", err)
	}
}

func TestFetchErrors(t *testing.T) {
	t.Parallel()
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", code) }
	}
	body := func(b string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(b)) }
	}
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		want error
	}{
		{"no usable key", body(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`), jose.ErrNoUsableKey},
		{"empty set", body(`{"keys":[]}`), jose.ErrNoUsableKey},
		{"not json", body(`<html>`), jose.ErrMalformed},
		{"status 500", status(500), ErrFetch},
		{"oversized", body(`{"keys":[` + strings.Repeat(" ", 2<<20) + `]}`), ErrTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.h)
			defer srv.Close()
			c := newCache(t, srv.URL, newClock())
			if _, err := c.Keys(context.Background()); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := New(Options{}); err == nil {
		t.Error("New with no URL succeeded")
	}
	c := newCache(t, "http://jwks.example.com/certs", newClock())
	if _, err := c.Keys(context.Background()); !errors.Is(err, ErrFetch) || !strings.Contains(err.Error(), "jwks_uri") {
		t.Errorf("plain http to a remote host: err = %v", err)
	}
}

func TestStaleSetServedWhenRefetchFails(t *testing.T) {
	t.Parallel()
	srv := newServer(t, "a")
	clk := newClock()
	c := newCache(t, srv.URL, clk)
	ctx := context.Background()
	if _, err := c.Keys(ctx); err != nil {
		t.Fatal(err)
	}
	srv.setBody([]byte("broken"))
	clk.Add(DefaultTTL + DefaultMaxStale/2)
	set, err := c.Keys(ctx)
	if err != nil || !set.Has("a") {
		t.Fatalf("stale set not served: %v", err)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2", n)
	}
	// The failed refetch counts against the rate limit: no hot loop.
	for range 100 {
		c.Keys(ctx)
	}
	if n := srv.hits.Load(); n != 2 {
		t.Errorf("fetches after failures = %d, want 2", n)
	}
	// Past MaxStale the set is no longer trusted: a key the issuer
	// withdrew must not verify while its fetches fail.
	clk.Add(DefaultMaxStale)
	if set, err := c.Keys(ctx); err == nil || set != nil {
		t.Errorf("a set %v past MaxStale was served (err %v)", DefaultMaxStale, err)
	}
}

// A cache that never fetched a set does not refetch on every call while
// the endpoint fails: failures count against the rate limit too, and the
// callers meanwhile get the last error.
func TestFailingFetchRateLimited(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"broken", `{"keys":[]}`} {
		srv := newServer(t, "a")
		srv.setBody([]byte(body))
		clk := newClock()
		c := newCache(t, srv.URL, clk)
		for range 50 {
			if _, err := c.KeysFor(context.Background(), "a"); err == nil {
				t.Fatalf("body %q: a key set was served", body)
			}
		}
		if n := srv.hits.Load(); n != 1 {
			t.Errorf("body %q: 50 lookups made %d fetches, want 1", body, n)
		}
		clk.Add(DefaultRefetchInterval)
		c.KeysFor(context.Background(), "a")
		if n := srv.hits.Load(); n != 2 {
			t.Errorf("body %q: after the interval, fetches = %d, want 2", body, n)
		}
	}
}

func FuzzMaxAge(f *testing.F) {
	for _, s := range []string{"max-age=60", "no-cache", `max-age="5", private`, "max-age=-1", "max-age=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := maxAge(s); ok && d < 0 {
			t.Fatalf("maxAge(%q) = %v", s, d)
		}
	})
}
