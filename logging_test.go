package oauth2client

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/syncbuf"
)

// TestLogsHoldNoSecrets runs a code exchange, a refresh that is retried and
// a revocation with a debug logger, and checks that no log line holds a
// secret used: client secret, code, PKCE verifier, refresh or access token.
func TestLogsHoldNoSecrets(t *testing.T) {
	t.Parallel()
	const (
		clientSecret = "CLIENT-SECRET-x1"
		code         = "AUTH-CODE-x2"
		refreshToken = "REFRESH-TOKEN-x3"
		accessToken  = "ACCESS-TOKEN-x4"
	)
	var refreshes atomic.Int32
	var mu sync.Mutex
	var verifier string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/revoke":
			return
		case r.PostForm.Get("grant_type") == "authorization_code":
			mu.Lock()
			verifier = r.PostForm.Get("code_verifier")
			mu.Unlock()
		case refreshes.Add(1) == 1:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		io.WriteString(w, `{"access_token":"`+accessToken+`","refresh_token":"`+refreshToken+`","expires_in":3600,"token_type":"Bearer"}`)
	}))
	defer srv.Close()
	var buf syncbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f, err := NewFlow(Config{
		ClientID: "cid", ClientSecret: clientSecret, RedirectURL: "http://127.0.0.1/cb",
		Endpoint: Endpoint{AuthURL: srv.URL + "/auth", TokenURL: srv.URL + "/token?tenant=QUERY-x5", RevocationURL: srv.URL + "/revoke"},
		Logger:   logger,
		Retry:    RetryOptions{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	u, err := url.Parse(mustAuthCodeURL(t, f))
	if err != nil {
		t.Fatal(err)
	}
	creds, err := f.ExchangeCallback(ctx, url.Values{"state": {u.Query().Get("state")}, "code": {code}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := creds.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := creds.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"endpoint=token attempt=1 status=503", "oauth2client: retrying", "endpoint=revocation attempt=1 status=200"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q", want)
		}
	}
	mu.Lock()
	secrets := []string{clientSecret, code, refreshToken, accessToken, verifier, "QUERY-x5"}
	mu.Unlock()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	for _, line := range lines {
		for _, s := range secrets {
			if s != "" && strings.Contains(line, s) {
				t.Errorf("log line holds a secret: %s", line)
			}
		}
	}
	if verifier == "" || len(lines) < 4 {
		t.Errorf("verifier %q, %d log lines: the run did not happen as planned", verifier, len(lines))
	}
}
