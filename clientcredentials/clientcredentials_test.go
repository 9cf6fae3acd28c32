package clientcredentials_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/clientcredentials"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// recorder is a token endpoint that records each request's form and
// header and answers with a numbered token.
type recorder struct {
	srv   *httptest.Server
	n     atomic.Int64
	mu    sync.Mutex
	forms []url.Values
	heads []http.Header
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		rec.mu.Lock()
		rec.forms = append(rec.forms, r.PostForm)
		rec.heads = append(rec.heads, r.Header.Clone())
		rec.mu.Unlock()
		n := rec.n.Add(1)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at-" + string(rune('0'+n)), "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func TestParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cfg    clientcredentials.Config
		form   url.Values // expected, except client authentication
		basic  bool
		assert bool
	}{
		{
			name:  "secret, scopes",
			cfg:   clientcredentials.Config{ClientID: "c", ClientSecret: "s", Scopes: []string{"a", "b"}},
			form:  url.Values{"grant_type": {"client_credentials"}, "scope": {"a b"}},
			basic: true,
		},
		{
			name: "audience, resources, params, post",
			cfg: clientcredentials.Config{
				ClientID: "c", ClientSecret: "s", AuthStyle: oauth2client.AuthStylePost,
				Audience: "https://api.example", Resources: []string{"https://r1.example/", "urn:example:r2"},
				Params: url.Values{"extra": {"x"}},
			},
			form: url.Values{
				"grant_type": {"client_credentials"}, "audience": {"https://api.example"},
				"resource": {"https://r1.example/", "urn:example:r2"}, "extra": {"x"},
				"client_id": {"c"}, "client_secret": {"s"},
			},
		},
		{
			name:   "client_secret_jwt",
			cfg:    clientcredentials.Config{ClientID: "c", ClientAuth: mustSecretJWT(t)},
			form:   url.Values{"grant_type": {"client_credentials"}, "client_id": {"c"}},
			assert: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t)
			tt.cfg.TokenURL = rec.srv.URL
			tok, err := tt.cfg.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "at-1" {
				t.Errorf("token %q", tok.AccessToken)
			}
			got := rec.forms[0]
			if tt.assert {
				if got.Get("client_assertion_type") != clientauth.AssertionType || got.Get("client_assertion") == "" {
					t.Errorf("no client assertion: %v", got)
				}
				got.Del("client_assertion_type")
				got.Del("client_assertion")
			}
			if !equalForms(got, tt.form) {
				t.Errorf("form = %v, want %v", got, tt.form)
			}
			if _, _, ok := (&http.Request{Header: rec.heads[0]}).BasicAuth(); ok != tt.basic {
				t.Errorf("basic auth = %v, want %v", ok, tt.basic)
			}
		})
	}
}

func equalForms(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if strings.Join(v, "\x00") != strings.Join(b[k], "\x00") {
			return false
		}
	}
	return true
}

func mustSecretJWT(t *testing.T) oauth2client.ClientAuth {
	a, err := clientauth.NewClientSecretJWT(strings.Repeat("s", 32), nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  clientcredentials.Config
		want string
	}{
		{"no client id", clientcredentials.Config{}, "ClientID"},
		{"reserved param", clientcredentials.Config{ClientID: "c", Params: url.Values{"scope": {"x"}}}, `"scope"`},
		{"relative resource", clientcredentials.Config{ClientID: "c", Resources: []string{"/api"}}, "Resources[0]"},
		{"resource with fragment", clientcredentials.Config{ClientID: "c", Resources: []string{"https://a", "https://b#f"}}, "Resources[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := newRecorder(t)
			tt.cfg.TokenURL = rec.srv.URL
			_, err := tt.cfg.Token(t.Context())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one naming %s", err, tt.want)
			}
			if rec.n.Load() != 0 {
				t.Error("a request was sent")
			}
		})
	}
}

// TestOAuth2Test gets tokens from oauth2test's client_credentials grant,
// cached: many calls, one request.
func TestOAuth2Test(t *testing.T) {
	t.Parallel()
	s := oauth2test.NewServer(nil)
	t.Cleanup(s.Close)
	if err := s.RegisterClient(oauth2test.Client{ID: "svc", Secret: "svc-secret"}); err != nil {
		t.Fatal(err)
	}
	cfg := &clientcredentials.Config{TokenURL: s.URL + oauth2test.PathToken, ClientID: "svc", ClientSecret: "svc-secret", Scopes: []string{"read"}}
	src := cfg.TokenSource()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			tok, err := src.Token(t.Context())
			if err != nil || tok.AccessToken == "" {
				t.Errorf("Token = %v, %v", tok, err)
			}
		})
	}
	wg.Wait()
	if n := s.TokenRequests("client_credentials"); n != 1 {
		t.Errorf("%d token requests, want 1", n)
	}

	bad := &clientcredentials.Config{TokenURL: cfg.TokenURL, ClientID: "svc", ClientSecret: "not-the-secret-xyz"}
	_, err := bad.TokenSource().Token(context.Background())
	var oe *oauth2client.Error
	if !errors.As(err, &oe) || oe.Code != "invalid_client" {
		t.Fatalf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), "not-the-secret-xyz") {
		t.Errorf("error quotes the secret: %v", err)
	}
}
