package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// TestInfoScopeCheckRefused: when only the server-side scope check fails
// (the introspection endpoint refuses the client), info prints what it
// knows, says why the server could not be asked, and exits 0.
func TestInfoScopeCheckRefused(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client","error_description":"client authentication failed"}`))
	}))
	defer refusing.Close()
	c := withField(t, fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2099-01-02T03:04:05Z", []string{"openid", "email"}, false),
		"introspection_uri", refusing.URL)
	spec := "file:" + saveEntries(t, map[string]*oauth2client.Credentials{"work": c})

	code, out, errOut := runCLI(t, t.Context(), "info", "--store", spec, "--key", "work")
	if code != exitOK {
		t.Errorf("exit %d, want %d; stderr %q", code, exitOK, errOut)
	}
	for _, want := range []string{
		"scopes:         openid email\n",
		"server says:    (could not ask: introspection endpoint: invalid_client",
		"status:         valid\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "ACCESS-A") || strings.Contains(out+errOut, "REFRESH-A") {
		t.Errorf("a token is shown:\n%s%s", out, errOut)
	}
}

// TestInfoPublicClientIntrospectionAuth reproduces issue 12, Messages §1:
// a public client authenticates to the introspection endpoint as the
// discovery of its ID token's issuer lists: none when listed,
// client_secret_basic with an empty secret when that is listed instead
// (zitadel), and not at all when nothing listed fits: info then says why
// and exits 0.
func TestInfoPublicClientIntrospectionAuth(t *testing.T) {
	t.Setenv("NO_GCE_CHECK", "true")
	tests := []struct {
		methods  []string // introspection_endpoint_auth_methods_supported
		wantAuth string   // the Authorization header the server saw; "-": no request
		wantOut  string
	}{
		{[]string{"none", "client_secret_basic"}, "", "server says:    scopes openid\n"},
		{nil, "", "server says:    scopes openid\n"},
		{[]string{"client_secret_basic", "private_key_jwt"}, "Basic " + base64.StdEncoding.EncodeToString([]byte("public-a:")), "server says:    scopes openid\n"},
		{[]string{"private_key_jwt"}, "-", "server says:    (could not ask: the introspection endpoint of "},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.methods, ","), func(t *testing.T) {
			var mu sync.Mutex
			seen := "-"
			var issuer string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				switch r.URL.Path {
				case "/.well-known/openid-configuration":
					m := map[string]any{"issuer": issuer, "authorization_endpoint": issuer + "/auth", "token_endpoint": issuer + "/token",
						"introspection_endpoint": issuer + "/introspect", "jwks_uri": issuer + "/jwks"}
					if tt.methods != nil {
						m["introspection_endpoint_auth_methods_supported"] = tt.methods
					}
					json.NewEncoder(w).Encode(m)
				case "/introspect":
					r.ParseForm()
					mu.Lock()
					seen = r.Header.Get("Authorization")
					mu.Unlock()
					if r.Form.Get("client_id") != "public-a" && seen == "" {
						t.Errorf("introspection without client_id or Basic: form %v", r.Form)
					}
					w.Write([]byte(`{"active":true,"scope":"openid"}`))
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			issuer = srv.URL
			payload := base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + issuer + `","sub":"u","aud":"public-a"}`))
			c := fixedCreds(t, "public-a", "ACCESS-A", "", "2099-01-02T03:04:05Z", []string{"openid"}, false)
			c = withField(t, c, "client_secret", nil)
			c = withField(t, c, "introspection_uri", issuer+"/introspect")
			c = withField(t, c, "token_uri", issuer+"/token")
			c = withField(t, c, "id_token_jwt", "e30."+payload+".c2ln")
			if iss, _ := c.UnverifiedIDTokenClaims()["iss"].(string); iss != issuer {
				t.Fatalf("the test credentials' ID token names issuer %q, want %q", iss, issuer)
			}
			spec := "file:" + saveEntries(t, map[string]*oauth2client.Credentials{"k": c})

			code, out, errOut := runCLI(t, t.Context(), "info", "--store", spec)
			if code != exitOK || !strings.Contains(out, tt.wantOut) {
				t.Errorf("exit %d, stdout:\n%s\nstderr %q; want exit 0 and %q", code, out, errOut, tt.wantOut)
			}
			mu.Lock()
			defer mu.Unlock()
			if seen != tt.wantAuth {
				t.Errorf("introspection Authorization %q, want %q", seen, tt.wantAuth)
			}
		})
	}
}
