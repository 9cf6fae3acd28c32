package serviceaccount

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
)

// verifyJWT checks jwt's RS256 signature against k and returns its header
// and claims.
func verifyJWT(t testing.TB, k *Key, jwt string) (jose.Header, map[string]any) {
	t.Helper()
	set, err := jose.NewKeySet(jose.Key{KID: k.KeyID(), Public: k.Public()})
	if err != nil {
		t.Fatal(err)
	}
	payload, h, err := jose.Verify(jwt, []string{jose.RS256}, set)
	if err != nil {
		t.Fatalf("JWT does not verify: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	return h, claims
}

// bearerServer is a token endpoint for the JWT-bearer grant that counts
// requests and hands each assertion to check.
func bearerServer(t *testing.T, check func(r *http.Request, assertion string)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != GrantType {
			http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
			return
		}
		if _, _, ok := r.BasicAuth(); ok || r.PostForm.Has("client_id") || r.PostForm.Has("client_secret") {
			t.Error("the JWT-bearer request carries client authentication")
		}
		check(r, r.PostForm.Get("assertion"))
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at-1","token_type":"Bearer","expires_in":3600}`))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestNewTokenSourceAssertion(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name string
		cfg  Config
		want map[string]any
	}{
		{"scopes", Config{Scopes: []string{"openid", "email"}},
			map[string]any{"scope": "openid email"}},
		{"delegation", Config{Scopes: []string{"openid"}, Subject: "user@example.com"},
			map[string]any{"scope": "openid", "sub": "user@example.com"}},
		{"extra claims", Config{ExtraClaims: map[string]any{"target_audience": "https://api.example.com"}},
			map[string]any{"target_audience": "https://api.example.com"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var k *Key
			var srv *httptest.Server
			srv, n := bearerServer(t, func(_ *http.Request, assertion string) {
				h, claims := verifyJWT(t, k, assertion)
				if h.KID != "kid-1" || h.Alg != jose.RS256 {
					t.Errorf("header %+v", h)
				}
				want := map[string]any{
					"iss": k.Email(), "aud": srv.URL + "/token",
					"iat": float64(now.Unix()), "exp": float64(now.Add(time.Hour).Unix()),
				}
				for name, v := range tt.want {
					want[name] = v
				}
				for name, v := range want {
					if claims[name] != v {
						t.Errorf("claim %s = %v, want %v", name, claims[name], v)
					}
				}
				if len(claims) != len(want) {
					t.Errorf("claims %v, want %v", claims, want)
				}
			})
			k = testKey(t, srv.URL+"/token")
			cfg := tt.cfg
			cfg.Now = func() time.Time { return now }
			src, err := NewTokenSource(k, &cfg)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "at-1" || !tok.Expiry.Equal(now.Add(time.Hour)) || n.Load() != 1 {
				t.Errorf("token %q expiry %v after %d requests", tok.AccessToken, tok.Expiry, n.Load())
			}
		})
	}
}

// TestNewTokenSourceOneRequest: 1,000 concurrent calls make one request.
func TestNewTokenSourceOneRequest(t *testing.T) {
	t.Parallel()
	srv, n := bearerServer(t, func(*http.Request, string) {})
	src, err := NewTokenSource(testKey(t, srv.URL), &Config{Scopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 1000 {
		wg.Go(func() {
			if _, err := src.Token(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := n.Load(); got != 1 {
		t.Errorf("1,000 calls made %d token requests, want 1", got)
	}
	t.Logf("1,000 calls, %d token request", n.Load())
}

func TestNewTokenSourceErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`))
	}))
	t.Cleanup(srv.Close)
	src, err := NewTokenSource(testKey(t, srv.URL), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Token(context.Background())
	var oe *oauth2client.Error
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" {
		t.Errorf("err = %v, want an invalid_grant *oauth2client.Error", err)
	}
	if _, err := NewTokenSource(nil, nil); !errors.Is(err, ErrConfig) {
		t.Errorf("nil key: %v", err)
	}
	k := testKey(t, srv.URL)
	if _, err := NewTokenSource(k, &Config{ExtraClaims: map[string]any{"aud": "x"}}); !errors.Is(err, ErrConfig) {
		t.Errorf("reserved extra claim: %v", err)
	}
	insecure := testKey(t, "http://oauth2.example.com/token")
	src, err = NewTokenSource(insecure, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.Token(context.Background()); err == nil {
		t.Error("an http token endpoint off loopback was accepted")
	}
}
