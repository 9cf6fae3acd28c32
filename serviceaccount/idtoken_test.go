package serviceaccount

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// TestIDTokenSourceAgainstOAuth2test gets ID tokens from oauth2test's
// JWT-bearer grant and verifies them with package idtoken against the
// server's JWKS: one token request for many concurrent and sequential
// calls, claims as Google sets them.
func TestIDTokenSourceAgainstOAuth2test(t *testing.T) {
	t.Parallel()
	srv := oauth2test.NewServer(nil)
	t.Cleanup(srv.Close)
	keyFile, err := srv.RegisterServiceAccount("robot@proj.iam.gserviceaccount.com")
	if err != nil {
		t.Fatal(err)
	}
	k, err := ParseJSONKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	const aud = "https://service.example.run.app"
	src, err := NewIDTokenSource(k, aud, &Config{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			if _, err := src.Token(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for range 1000 {
		if _, err := src.Token(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.TokenRequests(GrantType); n != 1 {
		t.Errorf("jwt-bearer requests = %d, want 1", n)
	}
	tok, err := src.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken != tok.IDToken || tok.Type() != "Bearer" {
		t.Errorf("token: AccessToken and IDToken differ, or type %q", tok.Type())
	}

	v, err := idtoken.NewFromDiscovery(ctx, srv.Issuer(), &idtoken.Options{Audiences: []string{aud}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Verify(ctx, tok.IDToken)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if c.Issuer != srv.URL || c.Subject != k.ClientID() || c.AuthorizedParty != k.ClientID() ||
		c.Email != k.Email() || !c.EmailVerified || len(c.Audience) != 1 || c.Audience[0] != aud {
		t.Errorf("claims = %+v", c)
	}
	if !tok.Expiry.Equal(c.Expiry) {
		t.Errorf("Expiry = %v, want the exp claim %v", tok.Expiry, c.Expiry)
	}
	other, err := idtoken.NewFromDiscovery(ctx, srv.Issuer(), &idtoken.Options{Audiences: []string{"https://other.example"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Verify(ctx, tok.IDToken); !errors.Is(err, idtoken.ErrAudience) {
		t.Errorf("Verify for another audience = %v, want ErrAudience", err)
	}
}

// TestIDTokenSourceRequest checks the assertion and the handling of the
// answers against a fake token endpoint per case.
func TestIDTokenSourceRequest(t *testing.T) {
	t.Parallel()
	exp := time.Now().Add(time.Hour).Truncate(time.Second)
	idTok, err := jose.Sign(testRSAKey(), "srv", "JWT", map[string]any{"aud": "a", "exp": exp.Unix()})
	if err != nil {
		t.Fatal(err)
	}
	noExp, err := jose.Sign(testRSAKey(), "srv", "JWT", map[string]any{"aud": "a"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		answer  string
		wantErr error
	}{
		{"id token only", `{"id_token":"` + idTok + `"}`, nil},
		{"access token only", `{"access_token":"at","token_type":"Bearer","expires_in":3600}`, oauth2client.ErrMalformedResponse},
		{"neither", `{"token_type":"Bearer"}`, oauth2client.ErrMalformedResponse},
		{"id token without exp", `{"id_token":"` + noExp + `"}`, oauth2client.ErrMalformedResponse},
		{"id token not a JWT", `{"id_token":"opaque"}`, oauth2client.ErrMalformedResponse},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var k *Key
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != GrantType {
					http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
					return
				}
				_, claims := verifyJWT(t, k, r.PostForm.Get("assertion"))
				if claims[TargetAudienceClaim] != "https://aud.example" || claims["aud"] != "http://"+r.Host+"/token" ||
					claims["iss"] != k.Email() || claims["scope"] != nil || claims["sub"] != nil {
					t.Errorf("assertion claims = %v", claims)
				}
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tc.answer))
			}))
			t.Cleanup(srv.Close)
			k = testKey(t, srv.URL+"/token")
			src, err := NewIDTokenSource(k, "https://aud.example", nil)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token(context.Background())
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Token = %v, want %v", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "eyJ") {
					t.Errorf("error %q quotes a token", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != idTok || tok.IDToken != idTok || !tok.Expiry.Equal(exp) {
				t.Errorf("token: expiry %v, want %v; AccessToken/IDToken not the ID token", tok.Expiry, exp)
			}
		})
	}
}

func TestNewIDTokenSourceConfig(t *testing.T) {
	t.Parallel()
	k := testKey(t, "https://oauth2.example.com/token")
	tests := []struct {
		name     string
		audience string
		cfg      *Config
	}{
		{"empty audience", "", nil},
		{"scopes", "a", &Config{Scopes: []string{"s"}}},
		{"subject", "a", &Config{Subject: "u@example.com"}},
		{"self-signed audience", "a", &Config{Audience: "b"}},
		{"target_audience extra claim", "a", &Config{ExtraClaims: map[string]any{TargetAudienceClaim: "b"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewIDTokenSource(k, tc.audience, tc.cfg); !errors.Is(err, ErrConfig) {
				t.Errorf("NewIDTokenSource = %v, want ErrConfig", err)
			}
		})
	}
	if _, err := NewIDTokenSource(nil, "a", nil); !errors.Is(err, ErrConfig) {
		t.Errorf("nil key: %v, want ErrConfig", err)
	}
}
