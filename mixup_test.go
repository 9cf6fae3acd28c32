package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Item 8 of issue 7: the mix-up defence (RFC 9207, RFC 9700 §4.4), on a
// flow whose endpoint is the token server at ts.URL, with its
// authorization endpoint at ts.URL + "/tenant/authorize".
func TestExchangeCallbackIssuer(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, nil)
	base := ts.URL
	tests := []struct {
		name      string
		issuer    string // Endpoint.Issuer; "-" for none
		issParam  bool   // Endpoint.ResponseIssParameter
		iss       string // the callback's iss; empty: none
		wantError string // substring of the error; empty: success
	}{
		{"known issuer, iss equal", base, false, base, ""},
		{"known issuer, iss differs", base, false, "https://evil.example", "is not the issuer"},
		{"known issuer, iss is a prefix of it", base + "/tenant", false, base, "is not the issuer"},
		{"known issuer, no iss", base, false, "", ""},
		{"known issuer always sending iss, none sent", base, true, "", "no iss parameter"},
		{"unknown issuer, no iss", "-", false, "", ""},
		{"unknown issuer, iss is the AuthURL's origin", "-", false, base, ""},
		{"unknown issuer, iss is the origin with a slash", "-", false, base + "/", ""},
		{"unknown issuer, iss is a leading path of AuthURL", "-", false, base + "/tenant", ""},
		{"unknown issuer, iss is AuthURL", "-", false, base + "/tenant/authorize", ""},
		{"unknown issuer, iss evil.example", "-", false, "https://evil.example", "Config.Endpoint.Issuer"},
		{"unknown issuer, iss another path of the host", "-", false, base + "/other", "cannot be checked"},
		{"unknown issuer, iss a path that is not a segment prefix", "-", false, base + "/ten", "cannot be checked"},
		{"unknown issuer, iss with a query", "-", false, base + "?x=1", "cannot be checked"},
		{"unknown issuer, iss with user info", "-", false, strings.Replace(base, "://", "://u@", 1), "cannot be checked"},
		{"unknown issuer, iss on another port", "-", false, "http://127.0.0.1:1", "cannot be checked"},
		{"unknown issuer, iss https where AuthURL is http", "-", false, strings.Replace(base, "http:", "https:", 1), "cannot be checked"},
	}
	t.Cleanup(func() { // after the parallel subtests
		if n := ts.requests.Load(); n != 7 {
			t.Errorf("token requests = %d, want one per accepted callback (7)", n)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig(base)
			cfg.Endpoint.AuthURL = base + "/tenant/authorize"
			cfg.Endpoint.Issuer = tt.issuer
			if tt.issuer == "-" {
				cfg.Endpoint.Issuer = ""
			}
			cfg.Endpoint.ResponseIssParameter = tt.issParam
			cfg.HTTPClient = ts.Client()
			flow, err := NewFlow(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, cb := callback(t, mustAuthCodeURL(t, flow), testCode, tt.iss)
			_, err = flow.ExchangeCallback(t.Context(), cb)
			if tt.wantError == "" {
				if err != nil {
					t.Fatalf("ExchangeCallback: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrIssuerMismatch) || !strings.Contains(err.Error(), tt.wantError) {
				t.Fatalf("ExchangeCallback err = %v, want ErrIssuerMismatch containing %q", err, tt.wantError)
			}
		})
	}
}

// The attack of issue 7: with --client-secrets (no issuer known) a
// callback carrying iss=https://evil.example completed. Now the issuer is
// known where it can be (Google's endpoints, the file's "issuer" field),
// and an iss that cannot be tied to the file's auth_uri is refused.
func TestClientSecretsIssuer(t *testing.T) {
	t.Parallel()
	ts := newTokenServer(t, nil)
	file := func(extra string) string {
		return fmt.Sprintf(`{"installed": {"client_id": "id", "client_secret": "", "auth_uri": %q,
			"token_uri": %q, "redirect_uris": ["http://127.0.0.1"]%s}}`, ts.URL+"/auth", ts.URL+"/token", extra)
	}
	tests := []struct {
		name      string
		json      string
		iss       string
		wantError bool
	}{
		{"no issuer field, iss evil.example", file(""), "https://evil.example", true},
		{"no issuer field, iss the auth_uri's origin", file(""), ts.URL, false},
		{"no issuer field, no iss", file(""), "", false},
		{"issuer field, iss equal", file(`, "issuer": "https://idp.example/realm"`), "https://idp.example/realm", false},
		{"issuer field, iss evil.example", file(`, "issuer": "https://idp.example/realm"`), "https://evil.example", true},
		{"issuer field, iss the auth_uri's origin", file(`, "issuer": "https://idp.example/realm"`), ts.URL, true},
		{"web client, issuer field, iss evil.example", strings.NewReplacer(`"installed"`, `"web"`, `"client_secret": ""`, `"client_secret": "s"`).Replace(file(`, "issuer": "https://idp.example"`)), "https://evil.example", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cs, err := ParseClientSecrets([]byte(tt.json), "cs.json")
			if err != nil {
				t.Fatal(err)
			}
			cfg := cs.Config("")
			cfg.HTTPClient = ts.Client()
			flow, err := NewFlow(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, cb := callback(t, mustAuthCodeURL(t, flow), testCode, tt.iss)
			_, err = flow.ExchangeCallback(context.Background(), cb)
			if tt.wantError != errors.Is(err, ErrIssuerMismatch) || (!tt.wantError && err != nil) {
				t.Fatalf("ExchangeCallback err = %v, want an issuer mismatch: %v", err, tt.wantError)
			}
			if tt.wantError && cs.Issuer == "" && !strings.Contains(err.Error(), `"issuer" field of client_secrets.json`) {
				t.Errorf("error %q does not say which field to set", err)
			}
		})
	}
}

// Every spelling of Google's endpoints found in client_secrets.json files
// means Google's issuer, in the file's endpoint and in a flow built by hand.
func TestGoogleIssuer(t *testing.T) {
	t.Parallel()
	for _, auth := range append(googleAuthURLs, "https://other.example/auth") {
		for _, token := range append(googleTokenURLs, "https://other.example/token") {
			google := auth != "https://other.example/auth" || token != "https://other.example/token"
			want := ""
			if google {
				want = GoogleEndpoint.Issuer
			}
			cs := &ClientSecrets{ClientID: "id", AuthURI: auth, TokenURI: token, RedirectURIs: []string{"http://127.0.0.1"}}
			if got := cs.Endpoint().Issuer; got != want {
				t.Errorf("auth %s, token %s: client secrets issuer %q, want %q", auth, token, got, want)
			}
			flow, err := NewFlow(Config{ClientID: "id", Endpoint: Endpoint{AuthURL: auth, TokenURL: token}})
			if err != nil {
				t.Fatal(err)
			}
			if got := flow.Config().Endpoint.Issuer; got != want {
				t.Errorf("auth %s, token %s: flow issuer %q, want %q", auth, token, got, want)
			}
			if !google {
				continue
			}
			_, cb := callback(t, mustAuthCodeURL(t, flow), testCode, "https://evil.example")
			if _, err := flow.ExchangeCallback(t.Context(), cb); !errors.Is(err, ErrIssuerMismatch) {
				t.Errorf("auth %s, token %s: iss evil.example: %v, want ErrIssuerMismatch", auth, token, err)
			}
		}
	}
	// A file's own issuer wins over Google's.
	cs := &ClientSecrets{AuthURI: googleAuthURLs[0], TokenURI: googleTokenURLs[0], Issuer: "https://accounts.example"}
	if got := cs.Endpoint().Issuer; got != "https://accounts.example" {
		t.Errorf("issuer field ignored: %q", got)
	}
}

func TestParseClientSecretsIssuerField(t *testing.T) {
	t.Parallel()
	doc := func(issuer string) []byte {
		return []byte(`{"web": {"client_id": "id", "client_secret": "s", "auth_uri": "https://a.example/auth",
			"token_uri": "https://a.example/token", "redirect_uris": ["https://app.example/cb"], "issuer": ` + issuer + `}}`)
	}
	tests := []struct {
		issuer, want, wantErr string
	}{
		{`"https://a.example"`, "https://a.example", ""},
		{`null`, "", ""},
		{`"a.example"`, "", "web.issuer: not an absolute http(s) URL"},
		{`"https://a.example?x=1"`, "", "web.issuer: must not have a query or fragment"},
		{`"https://a.example#x"`, "", "web.issuer: must not have a query or fragment"},
		{`"[[INSERT ISSUER]]"`, "", "web.issuer: is a placeholder"},
		{`42`, "", "web.issuer: must be a string"},
	}
	for _, tt := range tests {
		cs, err := ParseClientSecrets(doc(tt.issuer), "cs.json")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("issuer %s: err = %v, want %q", tt.issuer, err, tt.wantErr)
			}
			continue
		}
		if err != nil || cs.Issuer != tt.want {
			t.Errorf("issuer %s: %v, %v; want %q", tt.issuer, cs, err, tt.want)
		}
	}
}
