package oauth2client_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/file"
)

// TestPlainHTTPRefusedFromStore: credentials a store holds with an http
// token_uri on a host other than loopback are never refreshed there.
func TestPlainHTTPRefusedFromStore(t *testing.T) {
	t.Parallel()
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { served.Add(1) }))
	defer srv.Close()
	trap := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
		},
	}}
	path := filepath.Join(t.TempDir(), "creds.json")
	err := os.WriteFile(path, []byte(`{"access_token":"AT-SECRET","client_id":"cid","client_secret":"CS-SECRET",`+
		`"refresh_token":"RT-SECRET","token_expiry":"2000-01-01T00:00:00Z","token_uri":"http://example.com/token",`+
		`"user_agent":null,"invalid":false}`), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	s, err := file.OpenSingle(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c, err := store.Bind(ctx, s, "default", &store.BindOptions{HTTPClient: trap})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Token(ctx)
	if err == nil || !strings.Contains(err.Error(), `"token_uri"`) || !strings.Contains(err.Error(), "must use https") ||
		strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error %v, want a refusal naming token_uri", err)
	}
	if n := served.Load(); n != 0 {
		t.Errorf("%d requests went out", n)
	}
}
