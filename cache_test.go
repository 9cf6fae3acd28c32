package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a manually advanced clock.
type fakeClock struct {
	mu sync.Mutex // guards t
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeSource issues numbered tokens living life, counting calls. When
// block is set, each call signals entered and waits for release.
type fakeSource struct {
	clock   *fakeClock
	life    time.Duration
	calls   atomic.Int32
	err     atomic.Pointer[error] // when set, calls fail with it
	block   bool
	entered chan struct{}
	release chan struct{}
}

func newFakeSource(clock *fakeClock, life time.Duration, block bool) *fakeSource {
	return &fakeSource{clock: clock, life: life, block: block,
		entered: make(chan struct{}, 100), release: make(chan struct{})}
}

func (s *fakeSource) setErr(err error) {
	if err == nil {
		s.err.Store(nil)
		return
	}
	s.err.Store(&err)
}

func (s *fakeSource) Token(ctx context.Context) (*Token, error) {
	n := s.calls.Add(1)
	if s.block {
		s.entered <- struct{}{}
		select {
		case <-s.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if p := s.err.Load(); p != nil {
		return nil, *p
	}
	return &Token{AccessToken: fmt.Sprintf("tok-%d", n), Expiry: s.clock.Now().Add(s.life)}, nil
}

// harness builds a cache over src with hooks that report waiting callers
// and finished refreshes on channels.
type harness struct {
	c         *CachedSource
	waiting   chan struct{}
	refreshed chan struct{}
	onToken   atomic.Int32
}

func newHarness(src TokenSource, clock *fakeClock, initial *Token, opts CacheOptions) *harness {
	h := &harness{waiting: make(chan struct{}, 200), refreshed: make(chan struct{}, 200)}
	opts.Now = clock.Now
	opts.OnToken = func(*Token) { h.onToken.Add(1) }
	h.c = NewCachedSource(src, initial, &opts)
	h.c.rand = func() float64 { return 0.5 } // no jitter: pauses as documented
	h.c.waiting = func() { h.waiting <- struct{}{} }
	h.c.refreshed = func() { h.refreshed <- struct{}{} }
	return h
}

func TestCachedSourceStates(t *testing.T) {
	tests := []struct {
		name      string
		life      time.Duration // lifetime of the tokens the source issues
		advance   time.Duration // time passed after the first token
		wantCalls int32         // source calls after the second Token call, synchronously
		wantNew   bool          // whether the second call returns a new token
		wantBg    bool          // whether a background refresh runs
	}{
		{"fresh 1h", time.Hour, 50 * time.Minute, 1, false, false},
		{"stale 1h", time.Hour, 57 * time.Minute, 1, false, true},
		{"expired 1h", time.Hour, time.Hour - 5*time.Second, 2, true, false},
		{"5s token is fresh at birth", 5 * time.Second, 0, 1, false, false},
		{"5s token fresh at 2s", 5 * time.Second, 2 * time.Second, 1, false, false},
		{"5s token stale at 3s", 5 * time.Second, 3 * time.Second, 1, false, true},
		{"5s token expired at 4.6s", 5 * time.Second, 4600 * time.Millisecond, 2, true, false},
		{"20s token stale at 10s", 20 * time.Second, 10 * time.Second, 1, false, true},
		{"20s token expired at 18s", 20 * time.Second, 18 * time.Second, 2, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			src := newFakeSource(clock, tt.life, false)
			h := newHarness(src, clock, nil, CacheOptions{})
			ctx := context.Background()
			first, err := h.c.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			clock.Advance(tt.advance)
			got, err := h.c.Token(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantBg {
				<-h.refreshed // the first refresh
				<-h.refreshed // the background one
			}
			wantCalls := tt.wantCalls
			if tt.wantBg {
				wantCalls++
			}
			if n := src.calls.Load(); n != wantCalls {
				t.Errorf("source calls = %d, want %d", n, wantCalls)
			}
			if (got != first) != tt.wantNew {
				t.Errorf("second token %q, first %q; want new: %v", got.AccessToken, first.AccessToken, tt.wantNew)
			}
			if tt.wantBg {
				now, _ := h.c.Token(ctx)
				if now == first {
					t.Errorf("after the background refresh still serving %q", now.AccessToken)
				}
			}
			if n := h.onToken.Load(); n != src.calls.Load() {
				t.Errorf("OnToken called %d times for %d tokens", n, src.calls.Load())
			}
		})
	}
}

func TestCachedSourceInitialToken(t *testing.T) {
	tests := []struct {
		name      string
		initial   *Token
		left      time.Duration // sets the initial token's expiry, if not zero
		wantCalls int32
	}{
		{"no expiry", &Token{AccessToken: "a"}, 0, 0},
		{"one hour left", &Token{AccessToken: "a"}, time.Hour, 0},
		{"5s left of unknown lifetime is expired", &Token{AccessToken: "a"}, 5 * time.Second, 1},
		{"5s token from a response is fresh", &Token{AccessToken: "a", Raw: map[string]any{"expires_in": json.Number("5")}}, 5 * time.Second, 0},
		{"20s token from a form response is fresh", &Token{AccessToken: "a", Raw: map[string]any{"expires_in": "20"}}, 20 * time.Second, 0},
		{"1s left of a 5s token is expired", &Token{AccessToken: "a", Raw: map[string]any{"expires_in": json.Number("5")}}, time.Second / 2, 1},
		{"no access token", &Token{RefreshToken: "r"}, 0, 1},
		{"nil", nil, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			if tt.left != 0 {
				tt.initial.Expiry = clock.Now().Add(tt.left)
			}
			src := newFakeSource(clock, time.Hour, false)
			c := NewCachedSource(src, tt.initial, &CacheOptions{Now: clock.Now})
			got, err := c.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n := src.calls.Load(); n != tt.wantCalls {
				t.Errorf("source calls = %d, want %d", n, tt.wantCalls)
			}
			if tt.wantCalls == 0 && got != tt.initial {
				t.Errorf("got %q, want the initial token", got.AccessToken)
			}
		})
	}
}

func TestCachedSourceStaleOneBackgroundRefresh(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, true)
	old := &Token{AccessToken: "old", Expiry: clock.Now().Add(time.Minute)} // stale: inside 3m45s
	h := newHarness(src, clock, old, CacheOptions{})
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			got, err := h.c.Token(t.Context())
			if err != nil || got != old {
				t.Errorf("Token = %v, %v; want the old token", got, err)
			}
		})
	}
	wg.Wait() // all 100 served while the refresh is blocked
	<-src.entered
	close(src.release)
	<-h.refreshed
	if n := src.calls.Load(); n != 1 {
		t.Errorf("source calls = %d, want 1", n)
	}
	got, err := h.c.Token(t.Context())
	if err != nil || got.AccessToken != "tok-1" {
		t.Errorf("after refresh Token = %v, %v; want tok-1", got, err)
	}
	if n := h.onToken.Load(); n != 1 {
		t.Errorf("OnToken called %d times, want 1", n)
	}
}

func TestCachedSourceExpiredSingleFlight(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, true)
	h := newHarness(src, clock, nil, CacheOptions{})
	const n = 64
	var wg sync.WaitGroup
	results := make(chan *Token, n)
	for range n {
		wg.Go(func() {
			got, err := h.c.Token(t.Context())
			if err != nil {
				t.Error(err)
			}
			results <- got
		})
	}
	for range n {
		<-h.waiting
	}
	<-src.entered
	close(src.release)
	wg.Wait()
	close(results)
	for got := range results {
		if got == nil || got.AccessToken != "tok-1" {
			t.Errorf("got %v, want tok-1", got)
		}
	}
	if c := src.calls.Load(); c != 1 {
		t.Errorf("source calls = %d, want 1", c)
	}
	if c := h.onToken.Load(); c != 1 {
		t.Errorf("OnToken called %d times, want 1", c)
	}
}

func TestCachedSourceWaiterLeaves(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, true)
	h := newHarness(src, clock, nil, CacheOptions{})
	ctx, cancel := context.WithCancel(t.Context())
	leaver := make(chan error, 1)
	stayer := make(chan *Token, 1)
	go func() {
		_, err := h.c.Token(ctx)
		leaver <- err
	}()
	go func() {
		tok, err := h.c.Token(t.Context())
		if err != nil {
			t.Error(err)
		}
		stayer <- tok
	}()
	<-h.waiting
	<-h.waiting
	<-src.entered
	cancel()
	if err := <-leaver; !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled waiter got %v, want context.Canceled", err)
	}
	close(src.release) // the refresh was not cancelled with the first waiter
	if tok := <-stayer; tok == nil || tok.AccessToken != "tok-1" {
		t.Errorf("remaining waiter got %v, want tok-1", tok)
	}
	if got, err := h.c.Token(t.Context()); err != nil || got.AccessToken != "tok-1" {
		t.Errorf("later Token = %v, %v; want the cached tok-1", got, err)
	}
}

func TestCachedSourceErrorBackoff(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, false)
	boom := errors.New("boom")
	src.setErr(boom)
	h := newHarness(src, clock, nil, CacheOptions{})
	ctx := t.Context()
	steps := []struct {
		advance   time.Duration
		wantCalls int32
		wantErr   bool
	}{
		{0, 1, true}, // first failure: backoff 1s
		{0, 1, true}, // within backoff: last error, no call
		{999 * time.Millisecond, 1, true},
		{time.Millisecond, 2, true}, // backoff over: second failure, backoff 2s
		{time.Second, 2, true},      // within
		{time.Second, 3, true},      // third failure, backoff 4s
		{3 * time.Second, 3, true},  // within
		{time.Second, 4, false},     // success (error cleared below)
		{time.Second, 4, false},     // fresh
	}
	for i, st := range steps {
		clock.Advance(st.advance)
		if i == 7 {
			src.setErr(nil)
		}
		tok, err := h.c.Token(ctx)
		if n := src.calls.Load(); n != st.wantCalls {
			t.Errorf("step %d: source calls = %d, want %d", i, n, st.wantCalls)
		}
		if st.wantErr {
			if !errors.Is(err, boom) {
				t.Errorf("step %d: err = %v, want boom", i, err)
			}
		} else if err != nil || tok == nil {
			t.Errorf("step %d: Token = %v, %v", i, tok, err)
		}
	}
	// The backoff was reset by the success: one failure means 1s again.
	src.setErr(boom)
	if _, err := h.c.Refresh(ctx); !errors.Is(err, boom) {
		t.Fatalf("Refresh err = %v, want boom", err)
	}
	if tok, err := h.c.Token(ctx); err != nil || tok.AccessToken != "tok-4" {
		t.Errorf("after a failed forced refresh, Token = %v, %v; want the valid tok-4", tok, err)
	}
}

func TestCachedSourceStaleBackoff(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, false)
	boom := errors.New("boom")
	src.setErr(boom)
	// Stale at once (window 3m45s), expired after 2s (margin 10s).
	old := &Token{AccessToken: "old", Expiry: clock.Now().Add(12 * time.Second)}
	h := newHarness(src, clock, old, CacheOptions{})
	ctx := t.Context()
	for i := range 5 {
		got, err := h.c.Token(ctx)
		if err != nil || got != old {
			t.Fatalf("call %d: Token = %v, %v; want the stale token", i, got, err)
		}
		if i == 0 {
			<-h.refreshed
		}
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("source calls within the backoff = %d, want 1", n)
	}
	clock.Advance(time.Second)
	if got, _ := h.c.Token(ctx); got != old {
		t.Errorf("Token = %v, want the stale token", got)
	}
	<-h.refreshed
	if n := src.calls.Load(); n != 2 {
		t.Errorf("source calls after the backoff = %d, want 2", n)
	}
	clock.Advance(1500 * time.Millisecond) // expired now, within the 2s backoff
	if _, err := h.c.Token(ctx); !errors.Is(err, boom) {
		t.Errorf("expired within backoff: err = %v, want boom", err)
	}
	if n := src.calls.Load(); n != 2 {
		t.Errorf("source calls = %d, want 2", n)
	}
}

func TestCachedSourceForeground(t *testing.T) {
	tests := []struct {
		name    string
		err     error
		wantTok string
	}{
		{"refresh succeeds", nil, "tok-1"},
		{"refresh fails: stale token served", errors.New("boom"), "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := newFakeClock()
			src := newFakeSource(clock, time.Hour, false)
			src.setErr(tt.err)
			old := &Token{AccessToken: "old", Expiry: clock.Now().Add(time.Minute)}
			h := newHarness(src, clock, old, CacheOptions{Foreground: true})
			got, err := h.c.Token(t.Context())
			if err != nil || got.AccessToken != tt.wantTok {
				t.Fatalf("Token = %v, %v; want %s", got, err, tt.wantTok)
			}
			if n := src.calls.Load(); n != 1 {
				t.Errorf("source calls = %d, want 1", n)
			}
		})
	}
}

func TestCachedSourceTokenRejected(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, false)
	a := &Token{AccessToken: "a", Expiry: clock.Now().Add(time.Hour)}
	h := newHarness(src, clock, a, CacheOptions{})
	ctx := t.Context()
	steps := []struct {
		name      string
		rejected  *Token
		want      string
		wantCalls int32
	}{
		{"a stale token reported: current returned", &Token{AccessToken: "zzz"}, "a", 0},
		{"nil reported: current returned", nil, "a", 0},
		{"current rejected: refreshed", a, "tok-1", 1},
		{"old one again: no refresh", a, "tok-1", 1},
		{"copy of current rejected, after its quiet period: refreshed", &Token{AccessToken: "tok-1"}, "tok-2", 2},
	}
	for i, st := range steps {
		if i == len(steps)-1 {
			clock.Advance(rejectGrace) // tok-1 came from a rejection: quiet for 10s
		}
		got, err := h.c.TokenRejected(ctx, st.rejected)
		if err != nil || got.AccessToken != st.want {
			t.Errorf("%s: got %v, %v; want %s", st.name, got, err, st.want)
		}
		if n := src.calls.Load(); n != st.wantCalls {
			t.Errorf("%s: source calls = %d, want %d", st.name, n, st.wantCalls)
		}
	}
	if n := h.onToken.Load(); n != 2 {
		t.Errorf("OnToken called %d times, want 2", n)
	}
}

func TestCachedSourceTokenRejectedShared(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, true)
	a := &Token{AccessToken: "a", Expiry: clock.Now().Add(time.Hour)}
	h := newHarness(src, clock, a, CacheOptions{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			if got, err := h.c.TokenRejected(t.Context(), a); err != nil || got.AccessToken != "tok-1" {
				t.Errorf("TokenRejected = %v, %v", got, err)
			}
		})
	}
	for range 16 {
		<-h.waiting
	}
	<-src.entered
	close(src.release)
	wg.Wait()
	if n := src.calls.Load(); n != 1 {
		t.Errorf("source calls = %d, want 1", n)
	}
}

func TestCachedSourceBadTokens(t *testing.T) {
	clock := newFakeClock()
	tests := []struct {
		name string
		src  TokenSource
	}{
		{"nil token", TokenSourceFunc(func(context.Context) (*Token, error) { return nil, nil })},
		{"expired token", TokenSourceFunc(func(context.Context) (*Token, error) {
			return &Token{AccessToken: "x", Expiry: clock.Now().Add(-time.Second)}, nil
		})},
		{"empty access token", TokenSourceFunc(func(context.Context) (*Token, error) { return &Token{}, nil })},
		{"no source", nil},
		{"panicking source", TokenSourceFunc(func(context.Context) (*Token, error) { panic("boom") })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCachedSource(tt.src, nil, &CacheOptions{Now: clock.Now})
			if tok, err := c.Token(t.Context()); err == nil {
				t.Errorf("Token = %v, want an error", tok)
			}
		})
	}
}

func TestCachedSourceConfiguredLimits(t *testing.T) {
	clock := newFakeClock()
	src := newFakeSource(clock, 5*time.Second, false)
	// Configured window and margin larger than the lifetime are cut to half
	// of it, so a 5s token is neither born stale nor born expired.
	h := newHarness(src, clock, nil, CacheOptions{RefreshWindow: time.Hour, SafetyMargin: time.Minute})
	first, err := h.c.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(2 * time.Second)
	if got, _ := h.c.Token(t.Context()); got != first {
		t.Errorf("token replaced at 2s of 5s")
	}
	if n := src.calls.Load(); n != 1 {
		t.Errorf("source calls = %d, want 1", n)
	}
}

func TestCachedSourceFastPathAllocs(t *testing.T) {
	c := NewCachedSource(newFakeSource(newFakeClock(), time.Hour, false), &Token{AccessToken: "a", Expiry: time.Now().Add(time.Hour)}, nil)
	ctx := context.Background()
	if n := testing.AllocsPerRun(100, func() { _, _ = c.Token(ctx) }); n != 0 {
		t.Errorf("fresh Token allocates %v times, want 0", n)
	}
}

// The failure backoff is spread over ±20%: a cache whose random source
// draws r waits 1s × (0.8 + 0.4r) after its first failure.
func TestCachedSourceBackoffJitter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		r    float64
		wait time.Duration // the pause after the first failure
	}{
		{"lowest draw", 0, 800 * time.Millisecond},
		{"middle draw", 0.5, time.Second},
		{"high draw", 0.75, 1100 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			src := newFakeSource(clock, time.Hour, false)
			boom := errors.New("boom")
			src.setErr(boom)
			h := newHarness(src, clock, nil, CacheOptions{})
			h.c.rand = func() float64 { return tt.r }
			if _, err := h.c.Token(t.Context()); !errors.Is(err, boom) {
				t.Fatalf("first Token: %v, want boom", err)
			}
			clock.Advance(tt.wait - time.Millisecond)
			if _, err := h.c.Token(t.Context()); !errors.Is(err, boom) || src.calls.Load() != 1 {
				t.Errorf("just before %v: err %v, %d calls; want the cached error, 1 call", tt.wait, err, src.calls.Load())
			}
			clock.Advance(time.Millisecond)
			h.c.Token(t.Context())
			if n := src.calls.Load(); n != 2 {
				t.Errorf("at %v: %d calls, want 2", tt.wait, n)
			}
		})
	}
}

// The jitter stays within ±20% for every draw of the real random source.
func TestCachedSourceJitterBounds(t *testing.T) {
	t.Parallel()
	c := NewCachedSource(nil, nil, nil)
	seen := map[time.Duration]bool{}
	for range 1000 {
		d := c.jitter(10 * time.Second)
		if d < 8*time.Second || d > 12*time.Second {
			t.Fatalf("jitter(10s) = %v, want within 8s..12s", d)
		}
		seen[d] = true
	}
	if len(seen) < 100 {
		t.Errorf("jitter(10s) took only %d distinct values in 1000 draws", len(seen))
	}
}

// The 401 rule of TokenRejected, step by step on a fake clock.
func TestCachedSourceTokenRejectedRule(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, false)
	initial := &Token{AccessToken: "initial", Expiry: clock.Now().Add(time.Hour)}
	h := newHarness(src, clock, initial, CacheOptions{})
	ctx := t.Context()
	cur := func() *Token { return h.c.cur.Load().tok }
	steps := []struct {
		name      string
		advance   time.Duration
		expire    bool   // let the current token expire first, and fetch a new one with Token
		want      string // token returned; empty: ErrTokenRejected
		wantCalls int32
	}{
		{"initial token, age unknown: refreshed", 0, false, "tok-1", 1},
		{"tok-1 came from a 401: rejected at once, kept", 0, false, "", 1},
		{"still within its 10s quiet period", 9 * time.Second, false, "", 1},
		{"quiet period over: refreshed", time.Second, false, "tok-2", 2},
		{"tok-2 rejected soon after: its quiet period is 20s", 19 * time.Second, false, "", 2},
		{"20s over: refreshed; quiet period 40s", time.Second, false, "tok-3", 3},
		{"tok-3 worked long enough: back to 10s", 5 * time.Minute, false, "tok-4", 4},
		{"tok-4 rejected within 10s", 5 * time.Second, false, "", 4},
		{"an expiry refresh brings tok-5, received just now", 0, true, "", 5},
		{"10s after tok-5 was received: refreshed", 10 * time.Second, false, "tok-6", 6},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		if st.expire {
			clock.Advance(time.Hour)
			if tok, err := h.c.Token(ctx); err != nil || tok.AccessToken != "tok-5" {
				t.Fatalf("%s: Token = %v, %v", st.name, tok, err)
			}
		}
		got, err := h.c.TokenRejected(ctx, cur())
		switch {
		case st.want == "" && !errors.Is(err, ErrTokenRejected):
			t.Errorf("%s: TokenRejected = %v, %v; want ErrTokenRejected", st.name, got, err)
		case st.want != "" && (err != nil || got.AccessToken != st.want):
			t.Errorf("%s: TokenRejected = %v, %v; want %s", st.name, got, err, st.want)
		}
		if n := src.calls.Load(); n != st.wantCalls {
			t.Errorf("%s: source calls = %d, want %d", st.name, n, st.wantCalls)
		}
	}
}

// A 401-triggered refresh that fails is subject to the failure backoff.
func TestCachedSourceTokenRejectedBackoff(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, false)
	boom := errors.New("boom")
	src.setErr(boom)
	a := &Token{AccessToken: "a", Expiry: clock.Now().Add(time.Hour)}
	h := newHarness(src, clock, a, CacheOptions{})
	for i, wantCalls := range []int32{1, 1, 1} {
		if _, err := h.c.TokenRejected(t.Context(), a); !errors.Is(err, boom) {
			t.Errorf("rejection %d: err = %v, want boom", i, err)
		}
		if n := src.calls.Load(); n != wantCalls {
			t.Errorf("rejection %d: source calls = %d, want %d", i, n, wantCalls)
		}
		clock.Advance(400 * time.Millisecond)
	}
	if _, err := h.c.TokenRejected(t.Context(), a); !errors.Is(err, boom) || src.calls.Load() != 2 {
		t.Errorf("after the 1s backoff: err = %v, calls = %d; want a second try", err, src.calls.Load())
	}
}

// CacheOptions.RefreshTimeout bounds the context of a refresh: zero means
// 90 s, a positive value that, a negative one no limit.
func TestCachedSourceRefreshTimeout(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		timeout time.Duration
		want    time.Duration // 0: no deadline
	}{
		{"default", 0, 90 * time.Second},
		{"set", 5 * time.Second, 5 * time.Second},
		{"none", -1, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var left time.Duration
			var has bool
			src := TokenSourceFunc(func(ctx context.Context) (*Token, error) {
				var d time.Time
				d, has = ctx.Deadline()
				left = time.Until(d)
				return &Token{AccessToken: "at"}, nil
			})
			c := NewCachedSource(src, nil, &CacheOptions{RefreshTimeout: tt.timeout})
			if _, err := c.Token(t.Context()); err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == 0 && has:
				t.Errorf("the refresh has a deadline %v away, want none", left)
			case tt.want != 0 && (!has || left > tt.want || left < tt.want/2):
				t.Errorf("the refresh's deadline is %v away (set: %v), want about %v", left, has, tt.want)
			}
		})
	}
}

// An initial token whose token response gives its lifetime (one read back
// from a store, which another process just refreshed) is as old as its
// expiry minus expires_in says: a 401 within 10 s of its issue refreshes
// nothing, one later refreshes once.
func TestCachedSourceTokenRejectedStoredToken(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	src := newFakeSource(clock, time.Hour, false)
	issued := clock.Now().Add(-2 * time.Second)
	initial := &Token{AccessToken: "stored", Expiry: issued.Add(time.Hour),
		Raw: map[string]any{"expires_in": json.Number("3600")}}
	h := newHarness(src, clock, initial, CacheOptions{})
	if _, err := h.c.TokenRejected(t.Context(), initial); !errors.Is(err, ErrTokenRejected) {
		t.Fatalf("401 two seconds after issue: %v, want ErrTokenRejected", err)
	}
	clock.Advance(8 * time.Second)
	tok, err := h.c.TokenRejected(t.Context(), initial)
	if err != nil || tok.AccessToken != "tok-1" || src.calls.Load() != 1 {
		t.Fatalf("401 ten seconds after issue: %v, %v after %d calls; want tok-1 after 1", tok, err, src.calls.Load())
	}
}
