package oauth2client

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/syncbuf"
)

// stormServer is a token endpoint issuing numbered access tokens ("at-N",
// refresh token "rt-secret") and a resource server whose accept decides
// which tokens it takes.
type stormServer struct {
	refreshes atomic.Int32
	api       atomic.Int32
	mu        sync.Mutex // guards revoked
	revoked   map[string]bool
	token     *httptest.Server
	apiSrv    *httptest.Server
}

func newStormServer(t *testing.T, accept func(s *stormServer, tok string) bool, status int) *stormServer {
	s := &stormServer{revoked: map[string]bool{}}
	s.token = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.refreshes.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "at-" + strconv.Itoa(int(n)), "token_type": "Bearer", "expires_in": 3600,
		})
	}))
	s.apiSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.api.Add(1)
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !accept(s, tok) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(status)
			return
		}
		io.WriteString(w, "ok")
	}))
	t.Cleanup(s.token.Close)
	t.Cleanup(s.apiSrv.Close)
	return s
}

// credentials returns credentials for s holding an initial token "at-0"
// received at an unknown time, on clock, logging to logger.
func (s *stormServer) credentials(clock *fakeClock, logger *slog.Logger) *Credentials {
	return NewCredentials(CredentialsConfig{
		ClientID: "client", ClientSecret: "client-secret-value", TokenURI: s.token.URL,
		HTTPClient: s.token.Client(),
		Cache:      CacheOptions{Now: clock.Now, Logger: logger},
	}, &Token{AccessToken: "at-0", RefreshToken: "rt-secret", Expiry: clock.Now().Add(time.Hour)})
}

func (s *stormServer) get(t *testing.T, c *http.Client) int {
	t.Helper()
	resp, err := c.Post(s.apiSrv.URL, "text/plain", bytes.NewReader([]byte("body")))
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// Item 6 of issue 7: an API that answers every request with 401 made one
// refresh per request; now 50 requests, one after another or all at once,
// make at most one.
func TestTransport401Storm(t *testing.T) {
	t.Parallel()
	for _, concurrent := range []bool{false, true} {
		t.Run("concurrent="+strconv.FormatBool(concurrent), func(t *testing.T) {
			t.Parallel()
			s := newStormServer(t, func(*stormServer, string) bool { return false }, http.StatusUnauthorized)
			clock := &fakeClock{t: time.Now()}
			client := s.credentials(clock, nil).Client(nil)
			var wg sync.WaitGroup
			for range 50 {
				do := func() {
					if got := s.get(t, client); got != http.StatusUnauthorized {
						t.Errorf("status %d, want 401", got)
					}
				}
				if concurrent {
					wg.Go(do)
				} else {
					do()
				}
			}
			wg.Wait()
			t.Logf("50 requests: %d API requests, %d refreshes", s.api.Load(), s.refreshes.Load())
			if n := s.refreshes.Load(); n > 1 {
				t.Errorf("token requests = %d, want at most 1", n)
			}
			// Each request is retried at most once: with the new token, or
			// (concurrent ones that saw the old token) with the current one.
			if n := s.api.Load(); n > 100 {
				t.Errorf("API requests = %d, want at most 100", n)
			}
		})
	}
}

// An API that rejects a token once it rotates it out (a revocation, a key
// rotation) still gets a new token each time, one refresh per rotation.
func TestTransport401Rotation(t *testing.T) {
	t.Parallel()
	s := newStormServer(t, func(s *stormServer, tok string) bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return !s.revoked[tok]
	}, http.StatusUnauthorized)
	clock := &fakeClock{t: time.Now()}
	client := s.credentials(clock, nil).Client(nil)
	for round := range 5 {
		// The API rotates the current token out; the first request after
		// that gets a 401, refreshes, and succeeds on its retry.
		s.mu.Lock()
		s.revoked["at-"+strconv.Itoa(round)] = true
		s.mu.Unlock()
		for i := range 3 {
			if got := s.get(t, client); got != http.StatusOK {
				t.Errorf("round %d request %d: status %d, want 200", round, i, got)
			}
		}
		if n := s.refreshes.Load(); n != int32(round+1) {
			t.Errorf("round %d: token requests = %d, want %d", round, n, round+1)
		}
		clock.Advance(time.Minute)
	}
}

// A 429 (or any status but 401) goes back to the caller: no refresh, no
// retry, whatever its Retry-After says.
func TestTransportNoRetryOn429(t *testing.T) {
	t.Parallel()
	s := newStormServer(t, func(*stormServer, string) bool { return false }, http.StatusTooManyRequests)
	clock := &fakeClock{t: time.Now()}
	client := s.credentials(clock, nil).Client(nil)
	if got := s.get(t, client); got != http.StatusTooManyRequests {
		t.Errorf("status %d, want 429", got)
	}
	if s.api.Load() != 1 || s.refreshes.Load() != 0 {
		t.Errorf("API requests %d, refreshes %d; want 1 and 0", s.api.Load(), s.refreshes.Load())
	}
}

// Item 11 of issue 7 for the Transport and the cache: debug lines for the
// 401 decisions, the refreshes and the backoff, and no secret in any line.
func TestTransportAndCacheLogging(t *testing.T) {
	t.Parallel()
	var buf syncbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := newStormServer(t, func(*stormServer, string) bool { return false }, http.StatusUnauthorized)
	clock := &fakeClock{t: time.Now()}
	creds := s.credentials(clock, logger)
	client := &http.Client{Transport: &Transport{Source: creds, Logger: logger}}
	for range 3 {
		s.get(t, client)
	}
	// A failing refresh, for the backoff line.
	s.token.Close()
	clock.Advance(2 * time.Hour)
	if _, err := creds.Token(t.Context()); err == nil {
		t.Fatal("Token succeeded with the token endpoint closed")
	}
	out := buf.String()
	t.Logf("log:\n%s", out)
	for _, want := range []string{
		"token refresh started", "reason=rejected", "token refresh succeeded",
		"no refresh: obtained in answer to an earlier rejection",
		"401; retrying once with another token", "401; no retry: no other token",
		"token refresh failed; backing off", "backoff=",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	for _, secret := range []string{"at-0", "at-1", "rt-secret", "client-secret-value"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains the secret %q", secret)
		}
	}
}
