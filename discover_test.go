package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// metadata returns a discovery document for issuer with endpoints under it.
func metadata(issuer string) map[string]any {
	return map[string]any{
		"issuer":                                         issuer,
		"authorization_endpoint":                         issuer + "/auth",
		"token_endpoint":                                 issuer + "/token",
		"device_authorization_endpoint":                  issuer + "/device",
		"revocation_endpoint":                            issuer + "/revoke",
		"introspection_endpoint":                         issuer + "/introspect",
		"userinfo_endpoint":                              issuer + "/userinfo",
		"jwks_uri":                                       issuer + "/jwks",
		"token_endpoint_auth_methods_supported":          []string{"client_secret_post", "none"},
		"introspection_endpoint_auth_methods_supported":  []string{"client_secret_basic", "private_key_jwt"},
		"code_challenge_methods_supported":               []string{"S256"},
		"scopes_supported":                               []string{"openid", "email"},
		"authorization_response_iss_parameter_supported": true,
		"response_types_supported":                       []string{"code"},
	}
}

// discoveryServer serves doc(issuer) at the paths in serve, and 404
// elsewhere; it records the paths requested. The issuer is the server's URL
// plus issuerPath.
type discoveryServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths []string
}

func newDiscoveryServer(t *testing.T, issuerPath string, serve map[string]func(issuer string) any) (*discoveryServer, string) {
	t.Helper()
	ds := &discoveryServer{}
	var issuer string
	ds.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ds.mu.Lock()
		ds.paths = append(ds.paths, r.URL.Path)
		ds.mu.Unlock()
		if r.Method != http.MethodGet {
			t.Errorf("method %s", r.Method)
		}
		f, ok := serve[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		switch v := f(issuer).(type) {
		case int:
			w.WriteHeader(v)
		case string:
			w.Header().Set("Content-Type", "application/json")
			io := strings.NewReader(v)
			_, _ = io.WriteTo(w)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(v)
		}
	}))
	t.Cleanup(ds.Close)
	issuer = ds.URL + issuerPath
	return ds, issuer
}

func (ds *discoveryServer) requested() []string {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return append([]string(nil), ds.paths...)
}

func TestDiscover(t *testing.T) {
	doc := func(issuer string) any { return metadata(issuer) }
	tests := []struct {
		name       string
		issuerPath string
		serve      map[string]func(string) any
		wantPaths  []string
	}{
		{
			name:      "openid-configuration",
			serve:     map[string]func(string) any{"/.well-known/openid-configuration": doc},
			wantPaths: []string{"/.well-known/openid-configuration"},
		},
		{
			name:       "openid-configuration with path",
			issuerPath: "/tenant/a",
			serve:      map[string]func(string) any{"/tenant/a/.well-known/openid-configuration": doc},
			wantPaths:  []string{"/tenant/a/.well-known/openid-configuration"},
		},
		{
			name:       "trailing slash issuer",
			issuerPath: "/tenant/",
			serve:      map[string]func(string) any{"/tenant/.well-known/openid-configuration": doc},
			wantPaths:  []string{"/tenant/.well-known/openid-configuration"},
		},
		{
			name:      "RFC 8414 fallback",
			serve:     map[string]func(string) any{"/.well-known/oauth-authorization-server": doc},
			wantPaths: []string{"/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"},
		},
		{
			name:       "RFC 8414 inserted for an issuer with a path",
			issuerPath: "/tenant/a",
			serve:      map[string]func(string) any{"/.well-known/oauth-authorization-server/tenant/a": doc},
			wantPaths:  []string{"/tenant/a/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/tenant/a"},
		},
		{
			name:       "RFC 8414 appended for an issuer with a path",
			issuerPath: "/tenant/a",
			serve:      map[string]func(string) any{"/tenant/a/.well-known/oauth-authorization-server": doc},
			wantPaths: []string{"/tenant/a/.well-known/openid-configuration",
				"/.well-known/oauth-authorization-server/tenant/a", "/tenant/a/.well-known/oauth-authorization-server"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds, issuer := newDiscoveryServer(t, tt.issuerPath, tt.serve)
			e, err := Discover(context.Background(), issuer, &DiscoverOptions{HTTPClient: ds.Client()})
			if err != nil {
				t.Fatalf("Discover: %v", err)
			}
			want := &Endpoint{
				Issuer: issuer, AuthURL: issuer + "/auth", TokenURL: issuer + "/token",
				DeviceAuthURL: issuer + "/device", RevocationURL: issuer + "/revoke",
				IntrospectionURL: issuer + "/introspect", UserInfoURL: issuer + "/userinfo",
				JWKSURL: issuer + "/jwks", TokenAuthMethods: []string{"client_secret_post", "none"},
				IntrospectionAuthMethods: []string{"client_secret_basic", "private_key_jwt"},
				CodeChallengeMethods:     []string{"S256"}, ScopesSupported: []string{"openid", "email"},
				ResponseIssParameter: true,
			}
			if !reflect.DeepEqual(e, want) {
				t.Errorf("got %+v\nwant %+v", e, want)
			}
			if got := ds.requested(); !reflect.DeepEqual(got, tt.wantPaths) {
				t.Errorf("requested %q, want %q", got, tt.wantPaths)
			}
		})
	}
}

func TestDiscoverErrors(t *testing.T) {
	with := func(k string, v any) func(string) any {
		return func(issuer string) any {
			m := metadata(issuer)
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
			return m
		}
	}
	const oidc = "/.well-known/openid-configuration"
	tests := []struct {
		name    string
		serve   func(issuer string) any // served at oidc; nil: 404 everywhere
		want    string
		wantErr error
	}{
		{"not found anywhere", nil, "HTTP 404 (no metadata at any well-known URL)", nil},
		{"server error", func(string) any { return 500 }, "HTTP 500", nil},
		{"html", func(string) any { return "<html>oops</html>" }, "metadata is not a JSON object", ErrMalformedResponse},
		{"json array", func(string) any { return "[]" }, "metadata is not a JSON object", ErrMalformedResponse},
		{"too large", func(string) any { return `{"x":"` + strings.Repeat("a", MaxResponseBody) + `"}` }, "exceeds", ErrMalformedResponse},
		{"issuer mismatch", with("issuer", "https://evil.example"), `metadata issuer "https://evil.example" is not`, ErrIssuerMismatch},
		{"issuer trailing slash", func(issuer string) any { return with("issuer", issuer+"/")(issuer) }, "is not", ErrIssuerMismatch},
		{"issuer missing", with("issuer", nil), `field "issuer" is missing`, ErrMalformedResponse},
		{"issuer number", with("issuer", 7), `field "issuer" is a number, want a string`, ErrMalformedResponse},
		{"token endpoint missing", with("token_endpoint", nil), `field "token_endpoint" is missing`, ErrMalformedResponse},
		{"auth endpoint missing", with("authorization_endpoint", nil), `field "authorization_endpoint" is missing`, ErrMalformedResponse},
		{"token endpoint object", with("token_endpoint", map[string]any{}), `field "token_endpoint" is an object, want a string`, ErrMalformedResponse},
		{"token endpoint http", with("token_endpoint", "http://example.com/token"), `field "token_endpoint": must use https`, ErrMalformedResponse},
		{"jwks relative", with("jwks_uri", "/jwks"), `field "jwks_uri": not an absolute URL`, ErrMalformedResponse},
		{"methods string", with("token_endpoint_auth_methods_supported", "none"), `field "token_endpoint_auth_methods_supported" is a string, want an array of strings`, ErrMalformedResponse},
		{"methods numbers", with("code_challenge_methods_supported", []int{1}), `field "code_challenge_methods_supported" is an array`, ErrMalformedResponse},
		{"iss param string", with("authorization_response_iss_parameter_supported", "true"), `want a boolean`, ErrMalformedResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			serve := map[string]func(string) any{}
			if tt.serve != nil {
				serve[oidc] = tt.serve
			}
			ds, issuer := newDiscoveryServer(t, "", serve)
			e, err := Discover(context.Background(), issuer, &DiscoverOptions{HTTPClient: ds.Client()})
			if err == nil {
				t.Fatalf("no error; got %+v", e)
			}
			if !strings.HasPrefix(err.Error(), "oauth2client: discover: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", err, tt.wantErr)
			}
		})
	}
}

func TestDiscoverIssuerRules(t *testing.T) {
	tests := []struct{ issuer, want string }{
		{"", "not an absolute URL"},
		{"accounts.google.com", "not an absolute URL"},
		{"http://example.com", "must use https"},
		{"ftp://example.com", `unsupported scheme "ftp"`},
		{"https://example.com/#frag", "must not have a fragment"},
		{"https://example.com/?q=1", "must not have a query"},
		{"https://user:pw@example.com", "must not carry user information"},
	}
	for _, tt := range tests {
		t.Run(tt.issuer, func(t *testing.T) {
			_, err := Discover(context.Background(), tt.issuer, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Discover(%q) = %v, want %q", tt.issuer, err, tt.want)
			}
			if err != nil && strings.Contains(err.Error(), "pw") {
				t.Errorf("error %q quotes a password", err)
			}
		})
	}
}

func TestCheckEndpointURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://example.com/token", true},
		{"HTTPS://example.com/token", true},
		{"http://127.0.0.1:8080/token", true},
		{"http://127.1.2.3/token", true},
		{"http://[::1]:80/token", true},
		{"http://localhost/token", true},
		{"http://LOCALHOST:9/token", true},
		{"http://localhost.example.com/token", false},
		{"http://10.0.0.1/token", false},
		{"http://[::2]/token", false},
		{"http://example.com/token", false},
		{"https:///token", false},
		{"//example.com/token", false},
		{"https://example.com/token#x", false},
		{"javascript:alert(1)", false},
	}
	for _, tt := range tests {
		if err := urlpolicy.CheckEndpoint(tt.url); (err == nil) != tt.ok {
			t.Errorf("urlpolicy.CheckEndpoint(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestDiscoverGoogleTokenInfo(t *testing.T) {
	m := metadata(GoogleEndpoint.Issuer)
	b, _ := json.Marshal(m)
	e, err := parseDiscoveryDocument(b, GoogleEndpoint.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	if e.TokenInfoURL != GoogleEndpoint.TokenInfoURL {
		t.Errorf("TokenInfoURL = %q", e.TokenInfoURL)
	}
}

func FuzzDiscoveryDocument(f *testing.F) {
	const issuer = "https://issuer.example"
	good, _ := json.Marshal(metadata(issuer))
	for _, s := range []string{string(good), `{}`, `null`, `[]`, `{"issuer":"https://issuer.example","token_endpoint":1}`,
		`{"issuer":"https://issuer.example","authorization_endpoint":"https://issuer.example/a","token_endpoint":"http://x/t"}`,
		`{"issuer":"https://issuer.example","authorization_endpoint":"https://issuer.example/a","token_endpoint":"https://issuer.example/t","mtls_endpoint_aliases":{"token_endpoint":"https://mtls.issuer.example/t","x":1}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := parseDiscoveryDocument(data, issuer)
		if err != nil {
			if e != nil {
				t.Fatal("result and error")
			}
			if !errors.Is(err, ErrMalformedResponse) && !errors.Is(err, ErrIssuerMismatch) {
				t.Fatalf("error %v wraps neither sentinel", err)
			}
			return
		}
		if e.Issuer != issuer || e.AuthURL == "" || e.TokenURL == "" {
			t.Fatalf("accepted %+v", e)
		}
		for _, u := range append([]string{e.AuthURL, e.TokenURL, e.DeviceAuthURL, e.RevocationURL, e.IntrospectionURL, e.UserInfoURL, e.JWKSURL, e.PushedAuthURL, e.EndSessionURL}, slices.Collect(maps.Values(e.MTLSEndpointAliases))...) {
			if u != "" {
				if err := urlpolicy.CheckEndpoint(u); err != nil {
					t.Fatalf("accepted URL %q: %v", u, err)
				}
			}
		}
	})
}
