package oauth2client

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRevoke(t *testing.T) {
	cases := []struct {
		name      string
		tok       *Token
		style     AuthStyle
		status    int
		body      string
		wantToken string
		wantHint  string
		wantBasic bool
		wantErr   string // "" for success
		wantCode  string
	}{
		{name: "refresh token, basic", tok: &Token{AccessToken: "access-TKN", RefreshToken: "refresh-TKN"}, style: AuthStyleBasic,
			status: 200, wantToken: "refresh-TKN", wantHint: "refresh_token", wantBasic: true},
		{name: "access token only, post", tok: &Token{AccessToken: "access-TKN"}, style: AuthStylePost,
			status: 200, wantToken: "access-TKN", wantHint: "access_token"},
		{name: "none style", tok: &Token{AccessToken: "access-TKN", RefreshToken: "refresh-TKN"}, style: AuthStyleNone,
			status: 200, wantToken: "refresh-TKN", wantHint: "refresh_token"},
		{name: "refused with JSON", tok: &Token{AccessToken: "access-TKN", RefreshToken: "refresh-TKN"}, style: AuthStyleBasic,
			status: 400, body: `{"error":"unsupported_token_type","error_description":"nope"}`,
			wantToken: "refresh-TKN", wantHint: "refresh_token", wantBasic: true, wantErr: "revocation endpoint: unsupported_token_type", wantCode: "unsupported_token_type"},
		{name: "server error HTML", tok: &Token{AccessToken: "access-TKN"}, style: AuthStylePost,
			status: 503, body: `<html>down</html>`, wantToken: "access-TKN", wantHint: "access_token", wantErr: "HTTP 503"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost {
					t.Errorf("method %s", r.Method)
				}
				if got := r.PostFormValue("token"); got != tc.wantToken {
					t.Errorf("token = %q, want %q", got, tc.wantToken)
				}
				if got := r.PostFormValue("token_type_hint"); got != tc.wantHint {
					t.Errorf("token_type_hint = %q, want %q", got, tc.wantHint)
				}
				if r.UserAgent() != "ua/1" {
					t.Errorf("User-Agent = %q", r.UserAgent())
				}
				user, pass, basic := r.BasicAuth()
				if basic != tc.wantBasic || (basic && (user != "cid" || pass != "s%2Fcret")) {
					t.Errorf("basic auth = %v %q %q", basic, user, pass)
				}
				wantPostSecret := ""
				if tc.style == AuthStylePost {
					wantPostSecret = "s/cret"
				}
				if got := r.PostFormValue("client_secret"); got != wantPostSecret {
					t.Errorf("client_secret in form = %q, want %q", got, wantPostSecret)
				}
				if !basic && r.PostFormValue("client_id") != "cid" {
					t.Errorf("client_id in form = %q", r.PostFormValue("client_id"))
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := NewCredentials(CredentialsConfig{ClientID: "cid", ClientSecret: "s/cret", RevokeURI: srv.URL + "/revoke",
				AuthStyle: tc.style, UserAgent: "ua/1", HTTPClient: srv.Client()}, tc.tok)
			err := c.Revoke(t.Context())
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !c.Invalid() {
					t.Error("not marked invalid after revocation")
				}
				if tok := c.CurrentToken(); tok.AccessToken != "" || tok.RefreshToken != "" {
					t.Error("tokens not cleared after revocation")
				}
				if _, err := c.Token(t.Context()); !errors.Is(err, ErrInvalidCredentials) {
					t.Errorf("Token after revoke: %v, want ErrInvalidCredentials", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Endpoint != "revocation" || e.Code != tc.wantCode || e.StatusCode != tc.status {
				t.Fatalf("error = %#v", err)
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not contain %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), tc.wantToken) || strings.Contains(err.Error(), "s/cret") {
				t.Errorf("error %q quotes a token or secret", err)
			}
			if c.Invalid() {
				t.Error("marked invalid after a failed revocation")
			}
		})
	}
}

func TestRevokeWithoutEndpointOrToken(t *testing.T) {
	c := NewCredentials(CredentialsConfig{}, &Token{AccessToken: "at"})
	if err := c.Revoke(t.Context()); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("no RevokeURI: %v, want ErrNoEndpoint", err)
	}
	c = NewCredentials(CredentialsConfig{RevokeURI: "http://127.0.0.1:1/revoke"}, nil)
	if err := c.Revoke(t.Context()); err == nil {
		t.Error("no token: want an error")
	}
}

func TestRevokeNetworkErrorRedactsURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	c := NewCredentials(CredentialsConfig{RevokeURI: srv.URL + "/revoke?key=sekrit"}, &Token{AccessToken: "at"})
	err := c.Revoke(t.Context())
	var e *Error
	if !errors.As(err, &e) || e.Endpoint != "revocation" || !e.Temporary() {
		t.Fatalf("error = %#v", err)
	}
	if strings.Contains(err.Error(), "sekrit") {
		t.Errorf("error %q quotes the URL", err)
	}
}

func TestAccessTokenCredentialsRevoke(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.PostFormValue("token") != "at" || r.PostFormValue("token_type_hint") != "access_token" {
			t.Errorf("form = %v", r.PostForm)
		}
	}))
	defer srv.Close()
	c := NewAccessTokenCredentials("at", "")
	c = c.WithConfig(CredentialsConfig{RevokeURI: srv.URL, HTTPClient: srv.Client()})
	if err := c.Revoke(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !c.Invalid() {
		t.Error("not invalid after revoke")
	}
}
