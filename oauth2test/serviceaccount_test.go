package oauth2test_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/serviceaccount"
)

func TestJWTBearerGrant(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{})
	key := registeredKey(t, s, "robot@oauth2test.iam.gserviceaccount.com")
	if key.TokenURI() != s.URL+oauth2test.PathToken || key.ProjectID() != oauth2test.ServiceAccountProject {
		t.Errorf("key file: token_uri %q project %q", key.TokenURI(), key.ProjectID())
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	aud := s.URL + oauth2test.PathToken
	base := map[string]any{
		"iss": key.Email(), "aud": aud, "scope": "openid email",
		"iat": epoch.Unix(), "exp": epoch.Add(time.Hour).Unix(),
	}
	tests := []struct {
		name   string
		change map[string]any // claims set (nil value: removed)
		signer *rsa.PrivateKey
		kid    string
		want   string // error description fragment; "" for success
		user   string
	}{
		{name: "valid", user: key.Email()},
		{name: "delegation", change: map[string]any{"sub": "alice@example.com"}, user: "alice@example.com"},
		{name: "no kid", kid: "-", user: key.Email()},
		{name: "forged", signer: other, want: "does not verify"},
		{name: "unknown kid", kid: "nope", want: "does not verify"},
		{name: "unknown account", change: map[string]any{"iss": "who@example.com"}, want: "not a registered service account"},
		{name: "wrong aud", change: map[string]any{"aud": s.URL}, want: "aud"},
		{name: "aud list", change: map[string]any{"aud": []string{"x", aud}}, user: key.Email()},
		{name: "no exp", change: map[string]any{"exp": nil}, want: "no exp"},
		{name: "no iat", change: map[string]any{"iat": nil}, want: "no iat"},
		{name: "expired", change: map[string]any{"iat": epoch.Add(-2 * time.Hour).Unix(), "exp": epoch.Add(-time.Hour).Unix()}, want: "expired"},
		{name: "exp too far", change: map[string]any{"exp": epoch.Add(2 * time.Hour).Unix()}, want: "1 h"},
		{name: "lifetime too long", change: map[string]any{"iat": epoch.Add(-30 * time.Minute).Unix(), "exp": epoch.Add(59 * time.Minute).Unix()}, want: "lifetime"},
		{name: "iat in future", change: map[string]any{"iat": epoch.Add(10 * time.Minute).Unix()}, want: "future"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			claims := maps.Clone(base)
			for k, v := range tt.change {
				if v == nil {
					delete(claims, k)
				} else {
					claims[k] = v
				}
			}
			var signer = key.Signer()
			if tt.signer != nil {
				signer = tt.signer
			}
			kid := key.KeyID()
			switch tt.kid {
			case "-":
				kid = ""
			case "":
			default:
				kid = tt.kid
			}
			a, err := jose.Sign(signer, kid, "JWT", claims)
			if err != nil {
				t.Fatal(err)
			}
			r := postForm(t, s, oauth2test.PathToken, url.Values{"grant_type": {oauth2test.GrantTypeJWTBearer}, "assertion": {a}}, "", "")
			m := r.json(t)
			if tt.want != "" {
				desc, _ := m["error_description"].(string)
				if r.status != 400 || m["error"] != "invalid_grant" || !strings.Contains(desc, tt.want) {
					t.Errorf("status %d, body %s; want invalid_grant about %q", r.status, r.body, tt.want)
				}
				return
			}
			if r.status != 200 || m["scope"] != "openid email" || m["id_token"] == nil {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			info := get(t, s, oauth2test.PathTokenInfo+"?access_token="+url.QueryEscape(m["access_token"].(string))).json(t)
			if info["sub"] != tt.user {
				t.Errorf("token is for %v, want %s", info["sub"], tt.user)
			}
		})
	}
}

// TestJWTBearerTokenSource: package serviceaccount against the server,
// 1,000 calls making one jwt-bearer request, counted on /metrics.
func TestJWTBearerTokenSource(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{})
	keyFile, err := s.RegisterServiceAccount("")
	if err != nil {
		t.Fatal(err)
	}
	key, err := serviceaccount.ParseJSONKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(key.Email(), "@oauth2test.iam.gserviceaccount.com") {
		t.Errorf("picked email %q", key.Email())
	}
	src, err := serviceaccount.NewTokenSource(key, &serviceaccount.Config{
		Scopes: []string{"openid"}, HTTPClient: s.Client(), Now: func() time.Time { return epoch },
	})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if _, err := src.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.TokenRequests(oauth2test.GrantTypeJWTBearer); n != 1 {
		t.Errorf("%d jwt-bearer requests, want 1", n)
	}
	metrics := get(t, s, oauth2test.PathMetrics).body
	if want := `grant_type="` + oauth2test.GrantTypeJWTBearer + `"} 1`; !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s:\n%s", want, metrics)
	}
}

func TestServiceAccountKeys(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{})
	if _, err := s.ServiceAccountKeyJSON("nobody@example.com"); err == nil {
		t.Error("key file for an unregistered account")
	}
	if err := s.AddServiceAccountKey("", "k", &testKey().PublicKey); err == nil {
		t.Error("empty email accepted")
	}
	short, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddServiceAccountKey("a@example.com", "k", &short.PublicKey); err == nil {
		t.Error("1024-bit key accepted")
	}
	if err := s.AddServiceAccountKey("a@example.com", "k", &testKey().PublicKey); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ServiceAccountKeyJSON("a@example.com"); err == nil {
		t.Error("key file for an account whose private key the server lacks")
	}
}

// TestJWTBearerIDToken: an assertion with target_audience gets only an
// ID token of the account, signed with the server's key, as from Google.
func TestJWTBearerIDToken(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{})
	key := registeredKey(t, s, "robot@oauth2test.iam.gserviceaccount.com")
	a, err := jose.Sign(key.Signer(), key.KeyID(), "JWT", map[string]any{
		"iss": key.Email(), "aud": s.URL + oauth2test.PathToken, "target_audience": "https://svc.example",
		"iat": epoch.Unix(), "exp": epoch.Add(time.Hour).Unix(),
	})
	if err != nil {
		t.Fatal(err)
	}
	r := postForm(t, s, oauth2test.PathToken, url.Values{"grant_type": {oauth2test.GrantTypeJWTBearer}, "assertion": {a}}, "", "")
	m := r.json(t)
	raw, _ := m["id_token"].(string)
	if r.status != 200 || len(m) != 1 || raw == "" {
		t.Fatalf("status %d, fields %v; want 200 with id_token only", r.status, slices.Sorted(maps.Keys(m)))
	}
	set, err := jose.ParseKeySet([]byte(get(t, s, oauth2test.PathJWKS).body))
	if err != nil {
		t.Fatal(err)
	}
	payload, _, err := jose.Verify(raw, []string{jose.RS256}, set)
	if err != nil {
		t.Fatalf("ID token does not verify with the server's JWKS: %v", err)
	}
	var c map[string]any
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	if c["iss"] != s.URL || c["aud"] != "https://svc.example" || c["sub"] != key.ClientID() ||
		c["email"] != key.Email() || c["email_verified"] != true {
		t.Errorf("claims = %v", c)
	}
}

// registeredKey registers a service account with s and parses its key
// file.
func registeredKey(t *testing.T, s *oauth2test.Server, email string) *serviceaccount.Key {
	t.Helper()
	keyFile, err := s.RegisterServiceAccount(email)
	if err != nil {
		t.Fatal(err)
	}
	key, err := serviceaccount.ParseJSONKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
