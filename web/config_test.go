package web

import (
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
)

func TestNewNamesTheField(t *testing.T) {
	t.Parallel()
	ep := oauth2client.Endpoint{Issuer: "https://issuer.example", AuthURL: "https://issuer.example/auth", TokenURL: "https://issuer.example/token", JWKSURL: "https://issuer.example/jwks"}
	good := func() Config {
		return Config{
			BaseURL:    "https://app.example",
			Flow:       oauth2client.Config{ClientID: "c", Endpoint: ep},
			Store:      store.NewMemory(),
			CookieKeys: [][]byte{NewCookieKey()},
		}
	}
	if _, err := New(good()); err != nil {
		t.Fatalf("good config: %v", err)
	}
	k := NewCookieKey()
	for _, tc := range []struct {
		field  string
		change func(*Config)
	}{
		{"BaseURL", func(c *Config) { c.BaseURL = "" }},
		{"BaseURL", func(c *Config) { c.BaseURL = "http://app.example" }},
		{"BaseURL", func(c *Config) { c.BaseURL = "https://app.example/sub" }},
		{"Store", func(c *Config) { c.Store = nil }},
		{"CookieKeys", func(c *Config) { c.CookieKeys = nil }},
		{"CookieKeys[0]", func(c *Config) { c.CookieKeys = [][]byte{[]byte("short")} }},
		{"CookieKeys[1]", func(c *Config) { c.CookieKeys = [][]byte{k, k} }},
		{"LoginPath", func(c *Config) { c.LoginPath = "//x" }},
		{"CallbackPath", func(c *Config) { c.CallbackPath = "cb" }},
		{"LogoutPath", func(c *Config) { c.LogoutPath = "/out?x" }},
		{"LoginPath", func(c *Config) { c.LoginPath = DefaultLogoutPath }},
		{"SessionTTL", func(c *Config) { c.SessionTTL = -1 }},
		{"Scopes", func(c *Config) { c.Scopes = []string{"email"} }},
		{"PostLogoutRedirectURL", func(c *Config) { c.PostLogoutRedirectURL = "/bye" }},
		{"Flow.ClientID", func(c *Config) { c.Flow.ClientID = "" }},
		{"Flow.IDTokenVerifier", func(c *Config) { c.Flow.Endpoint.Issuer = "" }},
		{"Flow: oauth2client: flow config: Endpoint.TokenURL", func(c *Config) { c.Flow.Endpoint.TokenURL = "http://issuer.example/token" }},
		{"ClientSecrets and Flow.Endpoint", func(c *Config) { c.ClientSecrets = &oauth2client.ClientSecrets{ClientID: "c"} }},
		{"Issuer and Flow.Endpoint", func(c *Config) { c.Issuer = "https://issuer.example" }},
	} {
		cfg := good()
		tc.change(&cfg)
		_, err := New(cfg)
		if err == nil || !strings.HasPrefix(err.Error(), "web: config: "+tc.field) {
			t.Errorf("%s: got %v", tc.field, err)
		}
	}
}

func TestParseCookieKeys(t *testing.T) {
	t.Parallel()
	a, b := NewCookieKey(), NewCookieKey()
	keys, err := ParseCookieKeys(FormatCookieKeys(a, b))
	if err != nil || len(keys) != 2 || string(keys[0]) != string(a) || string(keys[1]) != string(b) {
		t.Fatalf("round trip: %v", err)
	}
	for _, s := range []string{"", "abc", "!!!", FormatCookieKeys(a) + ",x"} {
		if _, err := ParseCookieKeys(s); err == nil {
			t.Errorf("ParseCookieKeys(%q) accepted", s)
		}
	}
}
