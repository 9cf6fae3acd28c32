package oauth2client_test

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oauth2client/oauth2client"
)

var soakDuration = flag.Duration("soak.duration", 3*time.Second,
	"how long each BenchmarkRefreshUnderLoad case runs (use with -benchtime=1x)")

// waitThreshold is the token acquisition time from which a request counts
// as having waited on a refresh: the token endpoint takes tokenLatency.
const (
	tokenLatency  = 50 * time.Millisecond
	waitThreshold = tokenLatency / 2
	loadCallers   = 64
)

// tokenServer is a token endpoint with a fixed latency issuing numbered
// tokens of a fixed lifetime, and a resource server accepting only tokens
// it issued that have not expired. Both listen on 127.0.0.1.
type tokenServer struct {
	life     time.Duration
	issued   sync.Map // access token -> expiry (time.Time)
	requests atomic.Int64
	rejected atomic.Int64 // resource requests answered 401
	token    *httptest.Server
	api      *httptest.Server
}

func newTokenServer(tb testing.TB, life time.Duration) *tokenServer {
	s := &tokenServer{life: life}
	s.token = httptest.NewServer(http.HandlerFunc(s.serveToken))
	s.api = httptest.NewServer(http.HandlerFunc(s.serveAPI))
	tb.Cleanup(s.token.Close)
	tb.Cleanup(s.api.Close)
	return s
}

func (s *tokenServer) serveToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" {
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	t := time.NewTimer(tokenLatency) // simulated latency, not synchronization
	select {
	case <-t.C:
	case <-r.Context().Done():
		t.Stop()
		return
	}
	n := s.requests.Add(1)
	tok := "tok-" + strconv.FormatInt(n, 10)
	s.issued.Store(tok, time.Now().Add(s.life))
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok, "token_type": "Bearer", "expires_in": int(s.life / time.Second),
	})
}

func (s *tokenServer) serveAPI(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	exp, known := s.issued.Load(tok)
	if !ok || !known || time.Now().After(exp.(time.Time)) {
		s.rejected.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	io.WriteString(w, `{"ok":true}`)
}

// fixed registers a token that never expires, for the baseline.
func (s *tokenServer) fixed() string {
	s.issued.Store("fixed", time.Now().Add(24*time.Hour))
	return "fixed"
}

// apiTransport is a base transport keeping enough idle connections for
// loadCallers, so the soak measures tokens rather than TCP handshakes.
func apiTransport(tb testing.TB) *http.Transport {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 2 * loadCallers
	tr.MaxIdleConnsPerHost = 2 * loadCallers
	tb.Cleanup(tr.CloseIdleConnections)
	return tr
}

// waitCounter counts token acquisitions that took waitThreshold or more.
type waitCounter struct{ waited atomic.Int64 }

func (w *waitCounter) observe(start time.Time) {
	if time.Since(start) >= waitThreshold {
		w.waited.Add(1)
	}
}

// timedSource times our source's Token calls; it passes TokenRejected on.
type timedSource struct {
	src *oauth2client.Credentials
	w   *waitCounter
}

func (s timedSource) Token(ctx context.Context) (*oauth2client.Token, error) {
	defer s.w.observe(time.Now())
	return s.src.Token(ctx)
}

func (s timedSource) TokenRejected(ctx context.Context, t *oauth2client.Token) (*oauth2client.Token, error) {
	return s.src.TokenRejected(ctx, t)
}

// timedXSource times x/oauth2 Token calls.
type timedXSource struct {
	src oauth2.TokenSource
	w   *waitCounter
}

func (s timedXSource) Token() (*oauth2.Token, error) {
	defer s.w.observe(time.Now())
	return s.src.Token()
}

// loadResult is what one soak measured.
type loadResult struct {
	requests, failures int64
	maxLatency         time.Duration
	elapsed            time.Duration
}

// soak runs loadCallers goroutines making GET requests to url through
// client until d has passed.
func soak(client *http.Client, url string, d time.Duration) loadResult {
	var (
		wg  sync.WaitGroup
		mu  sync.Mutex // guards res
		res loadResult
	)
	start := time.Now()
	deadline := start.Add(d)
	for range loadCallers {
		wg.Go(func() {
			var n, failed int64
			var worst time.Duration
			for time.Now().Before(deadline) {
				t0 := time.Now()
				resp, err := client.Get(url)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = io.ErrUnexpectedEOF
					}
				}
				worst = max(worst, time.Since(t0))
				n++
				if err != nil {
					failed++
				}
			}
			mu.Lock()
			res.requests += n
			res.failures += failed
			res.maxLatency = max(res.maxLatency, worst)
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	return res
}

// BenchmarkRefreshUnderLoad runs loadCallers goroutines against a resource
// server for -soak.duration with tokens of 20s and 5s from a token endpoint
// answering in 50ms: ours, x/oauth2's ReuseTokenSource, and a fixed token.
// It reports the requests whose token acquisition waited on a refresh
// (took >= 25ms), the worst request latency, the token requests made during
// the soak, and the throughput. Run it with -benchtime=1x, e.g.
//
//	go test -run '^$' -bench RefreshUnderLoad -benchtime=1x -soak.duration=30s
func BenchmarkRefreshUnderLoad(b *testing.B) {
	for _, life := range []time.Duration{20 * time.Second, 5 * time.Second} {
		b.Run("life="+life.String(), func(b *testing.B) {
			b.Run("oauth2client", func(b *testing.B) {
				s := newTokenServer(b, life)
				creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
					ClientID: "client", ClientSecret: "secret", TokenURI: s.token.URL,
					HTTPClient: s.token.Client(),
				}, &oauth2client.Token{RefreshToken: "refresh"})
				w := &waitCounter{}
				client := &http.Client{Transport: &oauth2client.Transport{
					Source: timedSource{creds, w}, Base: apiTransport(b)}}
				runSoak(b, s, client, w)
			})
			b.Run("x-oauth2", func(b *testing.B) {
				s := newTokenServer(b, life)
				conf := &oauth2.Config{ClientID: "client", ClientSecret: "secret",
					Endpoint: oauth2.Endpoint{TokenURL: s.token.URL, AuthStyle: oauth2.AuthStyleInHeader}}
				ctx := context.WithValue(context.Background(), oauth2.HTTPClient, s.token.Client())
				w := &waitCounter{}
				ts := conf.TokenSource(ctx, &oauth2.Token{RefreshToken: "refresh"}) // a ReuseTokenSource
				client := &http.Client{Transport: &oauth2.Transport{
					Source: timedXSource{ts, w}, Base: apiTransport(b)}}
				runSoak(b, s, client, w)
			})
			b.Run("fixed", func(b *testing.B) {
				s := newTokenServer(b, life)
				w := &waitCounter{}
				src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: s.fixed()})
				client := &http.Client{Transport: &oauth2client.Transport{Source: src, Base: apiTransport(b)}}
				runSoak(b, s, client, w)
			})
		})
	}
}

// runSoak warms client up with one request (obtaining the first token),
// runs the soak and reports its metrics.
func runSoak(b *testing.B, s *tokenServer, client *http.Client, w *waitCounter) {
	resp, err := client.Get(s.api.URL)
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("warm-up request: HTTP %d", resp.StatusCode)
	}
	tokensBefore := s.requests.Load()
	w.waited.Store(0)
	s.rejected.Store(0)
	b.ResetTimer()
	res := soak(client, s.api.URL, *soakDuration)
	b.StopTimer()
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(float64(w.waited.Load()), "waited-reqs")
	b.ReportMetric(float64(res.maxLatency)/float64(time.Millisecond), "max-ms")
	b.ReportMetric(float64(s.requests.Load()-tokensBefore), "token-reqs")
	b.ReportMetric(float64(res.requests)/res.elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(res.requests), "reqs")
	b.ReportMetric(float64(res.failures), "failed-reqs")
}

// BenchmarkTransport is one authorized GET with a fresh token against an
// httptest server: ours and x/oauth2's oauth2.Transport, each with the
// token source a client normally has (a caching one) and a static one.
func BenchmarkTransport(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer abc" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	exp := time.Now().Add(time.Hour)
	ours := &oauth2client.Token{AccessToken: "abc", TokenType: "Bearer", Expiry: exp}
	theirs := &oauth2.Token{AccessToken: "abc", TokenType: "Bearer", Expiry: exp}
	noRefresh := oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) {
		b.Fatal("unexpected refresh")
		return nil, nil
	})
	base := apiTransport(b)
	cases := []struct {
		name string
		rt   http.RoundTripper
	}{
		{"oauth2client", &oauth2client.Transport{Source: oauth2client.NewCachedSource(noRefresh, ours, nil), Base: base}},
		{"x-oauth2", &oauth2.Transport{Source: oauth2.ReuseTokenSource(nil, oauth2.StaticTokenSource(theirs)), Base: base}},
		{"oauth2client-static", &oauth2client.Transport{Source: oauth2client.StaticTokenSource(ours), Base: base}},
		{"x-oauth2-static", &oauth2.Transport{Source: oauth2.StaticTokenSource(theirs), Base: base}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			client := &http.Client{Transport: c.rt}
			b.ReportAllocs()
			for b.Loop() {
				resp, err := client.Get(srv.URL)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					b.Fatalf("HTTP %d", resp.StatusCode)
				}
			}
		})
	}
}

// nopTransport answers every request with an empty 200, so that
// BenchmarkTransportOverhead measures the authorizing transport alone.
type nopTransport struct{ resp http.Response }

func (t *nopTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &t.resp, nil
}

// BenchmarkTransportOverhead is BenchmarkTransport without the network:
// the cost of authorizing a request, ours and x/oauth2's.
func BenchmarkTransportOverhead(b *testing.B) {
	exp := time.Now().Add(time.Hour)
	ours := &oauth2client.Token{AccessToken: "abc", Expiry: exp}
	theirs := &oauth2.Token{AccessToken: "abc", Expiry: exp}
	base := &nopTransport{resp: http.Response{StatusCode: 200, Body: http.NoBody}}
	cases := []struct {
		name string
		rt   http.RoundTripper
	}{
		{"oauth2client", &oauth2client.Transport{Source: oauth2client.NewCachedSource(nil, ours, nil), Base: base}},
		{"x-oauth2", &oauth2.Transport{Source: oauth2.ReuseTokenSource(nil, oauth2.StaticTokenSource(theirs)), Base: base}},
	}
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/api", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.rt.RoundTrip(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestColdStartOneTokenRequest: loadCallers goroutines starting together
// with no access token make exactly one token request between them.
func TestColdStartOneTokenRequest(t *testing.T) {
	s := newTokenServer(t, time.Hour)
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "client", ClientSecret: "secret", TokenURI: s.token.URL, HTTPClient: s.token.Client(),
	}, &oauth2client.Token{RefreshToken: "refresh"})
	client := creds.Client(&http.Client{Transport: apiTransport(t)})
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range loadCallers {
		wg.Go(func() {
			<-start
			resp, err := client.Get(s.api.URL)
			if err != nil {
				t.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("HTTP %d", resp.StatusCode)
			}
		})
	}
	close(start)
	wg.Wait()
	if n := s.requests.Load(); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}
