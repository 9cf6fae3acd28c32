package oauth2client

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// trapClient returns an HTTP client that sends every request, whatever its
// host, to a loopback server counting them: a request the library should
// not make shows up in the count instead of going out.
func trapClient(t *testing.T) (*http.Client, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at","active":true,"scope":"a"}`))
	}))
	t.Cleanup(srv.Close)
	addr := srv.Listener.Addr().String()
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}, &n
}

// wantRefused checks that err refuses a plain-http URL, naming field.
func wantRefused(t *testing.T, err error, field string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), field) ||
		!errors.Is(err, urlpolicy.ErrInsecure) && !strings.Contains(err.Error(), urlpolicy.ErrInsecure.Error()) {
		t.Errorf("error %v, want a refusal of plain http naming %s", err, field)
	}
}

// TestPlainHTTPRefused: http:// endpoint URLs on hosts other than loopback
// are refused before anything is sent, wherever they come from, with an
// error naming the field.
func TestPlainHTTPRefused(t *testing.T) {
	t.Parallel()
	const insecure = "http://example.com/x"
	ctx := context.Background()
	credsJSON := func(field string) string {
		fields := map[string]string{"token_uri": "https://example.com/token", field: insecure}
		s := `{"access_token":"AT-SECRET","client_id":"cid","client_secret":"CS-SECRET","refresh_token":"RT-SECRET",` +
			`"token_expiry":"2000-01-01T00:00:00Z","user_agent":null,"invalid":false`
		for k, v := range fields {
			s += `,"` + k + `":"` + v + `"`
		}
		return s + "}"
	}
	fresh := func(js string) string { return strings.Replace(js, "2000-01-01", "2999-01-01", 1) }
	// withCredentials parses js and runs op on the credentials with hc.
	withCredentials := func(js string, op func(*Credentials) error) func(hc *http.Client) error {
		return func(hc *http.Client) error {
			c, err := ParseCredentialsJSON([]byte(js))
			if err != nil {
				return err
			}
			cfg := c.Config()
			cfg.HTTPClient = hc
			return op(c.WithConfig(cfg))
		}
	}
	tests := []struct {
		name, field string
		call        func(hc *http.Client) error
	}{
		{"TokenRequest.URL", "TokenRequest.URL", func(hc *http.Client) error {
			_, err := RequestToken(ctx, &TokenRequest{URL: insecure, HTTPClient: hc, ClientSecret: "CS-SECRET",
				Params: url.Values{"grant_type": {"client_credentials"}}})
			return err
		}},
		{"flow config: token URL", "Endpoint.TokenURL", func(hc *http.Client) error {
			_, err := NewFlow(Config{ClientID: "cid", HTTPClient: hc, Endpoint: Endpoint{AuthURL: "https://example.com/a", TokenURL: insecure}})
			return err
		}},
		{"flow config: device URL", "Config.Endpoint.DeviceAuthURL", func(hc *http.Client) error {
			f, err := NewFlow(Config{ClientID: "cid", HTTPClient: hc,
				Endpoint: Endpoint{AuthURL: "https://example.com/a", TokenURL: "https://example.com/t", DeviceAuthURL: insecure}})
			if err != nil {
				return err
			}
			_, err = f.DeviceAuth(ctx)
			return err
		}},
		{"flow config: revocation URL", `"revoke_uri"`, func(hc *http.Client) error {
			f, err := NewFlow(Config{ClientID: "cid", HTTPClient: hc,
				Endpoint: Endpoint{AuthURL: "https://example.com/a", TokenURL: "https://example.com/t", RevocationURL: insecure}})
			if err != nil {
				return err
			}
			return f.credentials(&Token{AccessToken: "AT-SECRET"}, nil).Revoke(ctx)
		}},
		{"client secrets: token_uri", "TokenURL", func(hc *http.Client) error {
			cs, err := ParseClientSecrets([]byte(`{"installed":{"client_id":"cid","client_secret":"CS-SECRET",`+
				`"auth_uri":"https://example.com/a","token_uri":"`+insecure+`","redirect_uris":["http://127.0.0.1"]}}`), "client_secrets.json")
			if err != nil {
				return err
			}
			cfg := cs.Config("http://127.0.0.1/cb")
			cfg.HTTPClient = hc
			_, err = NewFlow(cfg)
			return err
		}},
		{"credentials JSON: token_uri", `"token_uri"`, withCredentials(credsJSON("token_uri"), func(c *Credentials) error {
			_, err := c.Token(ctx)
			return err
		})},
		{"credentials JSON: revoke_uri", `"revoke_uri"`, withCredentials(credsJSON("revoke_uri"), func(c *Credentials) error {
			return c.Revoke(ctx)
		})},
		{"credentials JSON: token_info_uri", `"token_info_uri"`, withCredentials(fresh(credsJSON("token_info_uri")), func(c *Credentials) error {
			_, err := c.RetrieveScopes(ctx)
			return err
		})},
		{"credentials JSON: introspection_uri", `"introspection_uri"`, withCredentials(fresh(credsJSON("introspection_uri")), func(c *Credentials) error {
			_, err := c.RetrieveScopes(ctx)
			return err
		})},
		{"discovery issuer", "issuer", func(hc *http.Client) error {
			_, err := Discover(ctx, "http://example.com", &DiscoverOptions{HTTPClient: hc})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hc, served := trapClient(t)
			err := tt.call(hc)
			wantRefused(t, err, tt.field)
			for _, secret := range []string{"AT-SECRET", "RT-SECRET", "CS-SECRET"} {
				if err != nil && strings.Contains(err.Error(), secret) {
					t.Errorf("error quotes %s", secret)
				}
			}
			if n := served.Load(); n != 0 {
				t.Errorf("%d requests went out", n)
			}
		})
	}
}

// TestPlainHTTPRefusedPythonFile: credentials that Python oauth2client
// wrote with an http token_uri are read, but never refreshed there.
func TestPlainHTTPRefusedPythonFile(t *testing.T) {
	requirePythonOAuth2Client(t)
	path := filepath.Join(t.TempDir(), "creds.json")
	runPython(t, "write_credentials.py", path, `{"class":"OAuth2Credentials","access_token":"AT-SECRET","client_id":"cid",`+
		`"client_secret":"CS-SECRET","refresh_token":"RT-SECRET","token_expiry":"2000-01-01T00:00:00Z","token_uri":"http://example.com/token"}`)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := ParseCredentialsJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	hc, served := trapClient(t)
	cfg := c.Config()
	cfg.HTTPClient = hc
	_, err = c.WithConfig(cfg).Token(context.Background())
	wantRefused(t, err, `"token_uri"`)
	if n := served.Load(); n != 0 {
		t.Errorf("%d requests went out", n)
	}
}

// TestLoopbackHTTPAllowed: http on a loopback host is allowed.
func TestLoopbackHTTPAllowed(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t)
	c := NewCredentials(CredentialsConfig{ClientID: "cid", TokenURI: rec.URL + "/token"}, &Token{RefreshToken: "rt"})
	if _, err := c.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
}
