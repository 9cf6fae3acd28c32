package clientcredentials_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	xcc "golang.org/x/oauth2/clientcredentials"

	"github.com/oauth2client/oauth2client/clientcredentials"
)

var loadDuration = flag.Duration("cc.duration", 2*time.Second,
	"how long TestUnderLoad runs each client (the issue's figure is 20s)")

const (
	loadCallers  = 64
	loadLatency  = 50 * time.Millisecond // the token endpoint's answer time
	loadLifetime = 5 * time.Second       // the tokens' lifetime
	waitedAfter  = loadLatency / 2       // a Token call this slow waited on the endpoint
)

// slowTokenServer is a client_credentials token endpoint answering after
// loadLatency with numbered tokens of loadLifetime.
type slowTokenServer struct {
	srv      *httptest.Server
	requests atomic.Int64
}

func newSlowTokenServer(t *testing.T) *slowTokenServer {
	s := &slowTokenServer{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "client_credentials" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		tm := time.NewTimer(loadLatency) // simulated latency, not synchronization
		select {
		case <-tm.C:
		case <-r.Context().Done():
			tm.Stop()
			return
		}
		n := s.requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "tok-" + strconv.FormatInt(n, 10), "token_type": "Bearer",
			"expires_in": int(loadLifetime / time.Second),
		})
	}))
	t.Cleanup(s.srv.Close)
	return s
}

// loadFigures is what one run measured.
type loadFigures struct {
	calls, waited, failed, tokenRequests int64
	worst                                time.Duration
}

// hammer calls token from loadCallers goroutines for d.
func hammer(d time.Duration, token func() (string, error)) loadFigures {
	var (
		mu  sync.Mutex
		f   loadFigures
		wg  sync.WaitGroup
		end = time.Now().Add(d)
	)
	for range loadCallers {
		wg.Go(func() {
			var calls, waited, failed int64
			var worst time.Duration
			for time.Now().Before(end) {
				t0 := time.Now()
				tok, err := token()
				el := time.Since(t0)
				calls++
				worst = max(worst, el)
				if el >= waitedAfter {
					waited++
				}
				if err != nil || tok == "" {
					failed++
				}
				time.Sleep(time.Millisecond) // the caller's work with the token, not synchronization
			}
			mu.Lock()
			f.calls += calls
			f.waited += waited
			f.failed += failed
			f.worst = max(f.worst, worst)
			mu.Unlock()
		})
	}
	wg.Wait()
	return f
}

// TestUnderLoad: loadCallers goroutines ask for a token for -cc.duration
// from an endpoint answering in 50 ms with 5 s tokens, through ours and
// through golang.org/x/oauth2/clientcredentials, in the same run. Ours
// makes at most two token requests per token lifetime (one, plus the
// first); its callers never wait (asserted only in a deliberate run with
// -cc.duration set, as timings on a shared machine are noisy). The
// figures are logged:
//
//	go test -run TestUnderLoad -v ./clientcredentials -args -cc.duration=20s
func TestUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "cc.duration" })
	d := *loadDuration
	lifetimes := int64(d/loadLifetime) + 1

	ours := newSlowTokenServer(t)
	cfg := &clientcredentials.Config{TokenURL: ours.srv.URL, ClientID: "c", ClientSecret: "s", HTTPClient: ours.srv.Client()}
	src := cfg.TokenSource()
	if _, err := src.Token(t.Context()); err != nil { // the first token, outside the run
		t.Fatal(err)
	}
	before := ours.requests.Load()
	fo := hammer(d, func() (string, error) {
		tok, err := src.Token(context.Background())
		if err != nil {
			return "", err
		}
		return tok.AccessToken, nil
	})
	fo.tokenRequests = ours.requests.Load() - before

	theirs := newSlowTokenServer(t)
	xcfg := &xcc.Config{TokenURL: theirs.srv.URL, ClientID: "c", ClientSecret: "s"}
	xsrc := xcfg.TokenSource(context.Background())
	if _, err := xsrc.Token(); err != nil {
		t.Fatal(err)
	}
	before = theirs.requests.Load()
	fx := hammer(d, func() (string, error) {
		tok, err := xsrc.Token()
		if err != nil {
			return "", err
		}
		return tok.AccessToken, nil
	})
	fx.tokenRequests = theirs.requests.Load() - before

	for _, r := range []struct {
		name string
		f    loadFigures
	}{{"oauth2client/clientcredentials", fo}, {"x/oauth2/clientcredentials", fx}} {
		t.Logf("%-31s %s, %d callers, 5s tokens, 50ms endpoint: %d token requests, %d calls (%.0f/s), %d waited >=25ms, worst %v, %d failed",
			r.name, d, loadCallers, r.f.tokenRequests, r.f.calls, float64(r.f.calls)/d.Seconds(), r.f.waited, r.f.worst.Round(time.Microsecond), r.f.failed)
	}
	if fo.failed != 0 {
		t.Errorf("ours: %d failed calls", fo.failed)
	}
	if max := 2 * lifetimes; fo.tokenRequests > max {
		t.Errorf("ours: %d token requests in %v, want at most %d (two per %v lifetime)", fo.tokenRequests, d, max, loadLifetime)
	}
	if explicit && fo.waited != 0 {
		t.Errorf("ours: %d calls waited on the token endpoint, want 0", fo.waited)
	}
}
