package oauth2client

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

func TestCredentialsRefresh(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name        string
		style       AuthStyle
		secret      string
		response    string
		status      int
		wantRefresh string // the refresh token held afterwards
		wantBasic   bool
		wantPost    bool // client_secret in the form
		wantErr     error
	}{
		{name: "no refresh_token back keeps the old one", style: AuthStyleBasic, secret: "cs",
			response: `{"access_token":"new","token_type":"Bearer","expires_in":3600}`, status: 200,
			wantRefresh: "old-refresh", wantBasic: true},
		{name: "rotated refresh token replaces it", style: AuthStyleBasic, secret: "cs",
			response: `{"access_token":"new","token_type":"bearer","expires_in":"3600","refresh_token":"rotated"}`, status: 200,
			wantRefresh: "rotated", wantBasic: true},
		{name: "post auth", style: AuthStylePost, secret: "cs",
			response: `{"access_token":"new","expires_in":60}`, status: 200, wantRefresh: "old-refresh", wantPost: true},
		{name: "none auth", style: AuthStyleNone,
			response: `{"access_token":"new"}`, status: 200, wantRefresh: "old-refresh"},
		{name: "auto without secret is none", style: AuthStyleAuto,
			response: `{"access_token":"new"}`, status: 200, wantRefresh: "old-refresh"},
		{name: "auto with secret is basic", style: AuthStyleAuto, secret: "cs",
			response: `{"access_token":"new"}`, status: 200, wantRefresh: "old-refresh", wantBasic: true},
		{name: "invalid_grant", style: AuthStyleBasic, secret: "cs",
			response: `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`, status: 400,
			wantBasic: true, wantErr: ErrInvalidGrant},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				if r.PostFormValue("grant_type") != "refresh_token" || r.PostFormValue("refresh_token") != "old-refresh" {
					t.Errorf("form = %v", r.PostForm)
				}
				if r.UserAgent() != "test-agent/2" {
					t.Errorf("User-Agent = %q", r.UserAgent())
				}
				user, pass, basic := r.BasicAuth()
				if basic != tc.wantBasic || (basic && (user != "cid" || pass != tc.secret)) {
					t.Errorf("basic auth = %v", basic)
				}
				if got := r.PostFormValue("client_secret") != ""; got != tc.wantPost {
					t.Errorf("client_secret in form: %v, want %v", got, tc.wantPost)
				}
				if !basic && r.PostFormValue("client_id") != "cid" {
					t.Errorf("client_id in form = %q", r.PostFormValue("client_id"))
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.response))
			}))
			defer srv.Close()

			var hooked, listened []*Token
			c := NewCredentials(CredentialsConfig{
				ClientID: "cid", ClientSecret: tc.secret, TokenURI: srv.URL, AuthStyle: tc.style,
				UserAgent: "test-agent/2", HTTPClient: srv.Client(),
				Cache: CacheOptions{Now: func() time.Time { return now }, OnToken: func(t *Token) { hooked = append(hooked, t) }},
			}, &Token{AccessToken: "old", RefreshToken: "old-refresh", Expiry: now.Add(-time.Minute)})
			c.OnToken(func(t *Token) { listened = append(listened, t) })

			tok, err := c.Token(t.Context())
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Token: %v, want %v", err, tc.wantErr)
				}
				if !c.Invalid() {
					t.Error("not marked invalid")
				}
				for range 2 {
					if _, err := c.Token(t.Context()); !errors.Is(err, ErrInvalidCredentials) {
						t.Errorf("Token after invalid_grant: %v, want ErrInvalidCredentials", err)
					}
					if _, err := c.Refresh(t.Context()); !errors.Is(err, ErrInvalidCredentials) {
						t.Errorf("Refresh after invalid_grant: %v, want ErrInvalidCredentials", err)
					}
				}
				if n := requests.Load(); n != 1 {
					t.Errorf("%d token requests, want 1", n)
				}
				if len(listened) != 0 || len(hooked) != 0 {
					t.Error("listeners called without a new token")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "new" || tok.RefreshToken != tc.wantRefresh {
				t.Errorf("token: access %q refresh %q, want new / %q", tok.AccessToken, tok.RefreshToken, tc.wantRefresh)
			}
			if cur := c.CurrentToken(); cur != tok {
				t.Error("CurrentToken is not the new token")
			}
			if len(listened) != 1 || listened[0] != tok || len(hooked) != 1 || hooked[0] != tok {
				t.Errorf("listeners saw %d / %d tokens, want the new one once", len(listened), len(hooked))
			}
			if n := requests.Load(); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
		})
	}
}

func TestCredentialsCannotRefresh(t *testing.T) {
	cases := []struct {
		name string
		c    *Credentials
	}{
		{"no refresh token", NewCredentials(CredentialsConfig{TokenURI: "http://127.0.0.1:1/token"}, &Token{AccessToken: "at"})},
		{"no token URI", NewCredentials(CredentialsConfig{}, &Token{AccessToken: "at", RefreshToken: "rt"})},
		{"no token", NewCredentials(CredentialsConfig{TokenURI: "http://127.0.0.1:1/token"}, nil)},
		{"access token credentials", NewAccessTokenCredentials("at", "ua")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.c.Refresh(t.Context()); !errors.Is(err, ErrCannotRefresh) {
				t.Errorf("Refresh: %v, want ErrCannotRefresh", err)
			}
			if _, err := tc.c.TokenRejected(t.Context(), tc.c.CurrentToken()); !errors.Is(err, ErrCannotRefresh) {
				t.Errorf("TokenRejected: %v, want ErrCannotRefresh", err)
			}
			if tc.c.Invalid() {
				t.Error("marked invalid")
			}
		})
	}
}

func TestAccessTokenCredentials(t *testing.T) {
	c := NewAccessTokenCredentials("at", "ua/1")
	tok, err := c.Token(t.Context())
	if err != nil || tok.AccessToken != "at" || tok.Type() != "Bearer" {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if c.Config().UserAgent != "ua/1" {
		t.Errorf("UserAgent = %q", c.Config().UserAgent)
	}
	// An expired token obtained elsewhere cannot be renewed.
	now := time.Now()
	expired := NewCredentials(CredentialsConfig{Cache: CacheOptions{Now: func() time.Time { return now }}},
		&Token{AccessToken: "at", Expiry: now.Add(-time.Hour)})
	expired.class = pyClass{name: classAccessToken, module: moduleClient}
	if _, err := expired.Token(t.Context()); !errors.Is(err, ErrCannotRefresh) {
		t.Errorf("expired Token: %v, want ErrCannotRefresh", err)
	}
}

func TestCredentialsWithConfig(t *testing.T) {
	c, err := ParseCredentialsJSON(pyJSON(t, func(m map[string]any) {
		m["_class"], m["invalid"], m["id_token"], m["scopes"] = "GoogleCredentials", true, map[string]any{"sub": "x"}, []string{"s"}
	}))
	if err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{}
	cfg := c.Config()
	cfg.HTTPClient = hc
	n := c.WithConfig(cfg)
	if n.Config().HTTPClient != hc || !n.Invalid() || n.IDTokenClaims()["sub"] != "x" ||
		!reflect.DeepEqual(n.CurrentToken(), c.CurrentToken()) || n.class.name != "GoogleCredentials" || !slices.Equal(n.Scopes(), []string{"s"}) {
		t.Errorf("WithConfig lost state")
	}
}
