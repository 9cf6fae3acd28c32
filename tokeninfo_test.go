package oauth2client

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestRetrieveScopesIntrospection(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		want    []string
		wantErr error  // errors.Is target, nil if none
		errText string // in the message
	}{
		{name: "active", status: 200, body: `{"active":true,"scope":"openid api:read","client_id":"cid"}`, want: []string{"openid", "api:read"}},
		{name: "active with empty scope", status: 200, body: `{"active":true,"scope":""}`, want: []string{}},
		{name: "inactive", status: 200, body: `{"active":false}`, wantErr: ErrInactiveToken},
		{name: "no active field", status: 200, body: `{"scope":"a"}`, wantErr: ErrMalformedResponse, errText: `"active"`},
		{name: "scope not a string", status: 200, body: `{"active":true,"scope":["a"]}`, wantErr: ErrMalformedResponse, errText: `"scope" is an array`},
		{name: "HTML", status: 200, body: `<html>`, wantErr: ErrMalformedResponse},
		{name: "unauthorized", status: 401, body: `{"error":"invalid_client"}`, errText: "introspection endpoint: invalid_client (HTTP 401)"},
		{name: "oversized", status: 200, body: `{"active":true,"scope":"` + strings.Repeat("a", MaxResponseBody) + `"}`, wantErr: ErrMalformedResponse, errText: "exceeds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.PostFormValue("token") != "at" || r.PostFormValue("token_type_hint") != "access_token" {
					t.Errorf("request %s %v", r.Method, r.PostForm)
				}
				if user, pass, ok := r.BasicAuth(); !ok || user != "cid" || pass != "cs" {
					t.Errorf("client authentication missing")
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := NewCredentials(CredentialsConfig{ClientID: "cid", ClientSecret: "cs", Scopes: []string{"requested"},
				IntrospectionURI: srv.URL, TokenInfoURI: "http://127.0.0.1:1/unused", HTTPClient: srv.Client()},
				&Token{AccessToken: "at"})
			got, err := c.RetrieveScopes(t.Context())
			if tc.wantErr == nil && tc.errText == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tc.want) || !slices.Equal(c.Scopes(), tc.want) {
					t.Errorf("scopes = %v, Scopes() = %v, want %v", got, c.Scopes(), tc.want)
				}
				if c.HasScopes("requested") {
					t.Error("HasScopes uses the requested scopes, not the retrieved ones")
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v is not %v", err, tc.wantErr)
			}
			if !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("error %q does not contain %q", err, tc.errText)
			}
			if !errors.Is(tc.wantErr, ErrInactiveToken) {
				var e *Error
				if !errors.As(err, &e) || e.Endpoint != "introspection" {
					t.Errorf("error %#v is not an *Error from the introspection endpoint", err)
				}
			}
			if !slices.Equal(c.Scopes(), []string{"requested"}) {
				t.Errorf("Scopes() = %v after a failure", c.Scopes())
			}
		})
	}
}

// TestRetrieveScopesIntrospectionNotSaid: an introspection answer without
// "scope" (optional in RFC 7662 §2.2) does not say the token has no
// scopes: those known from the token response are kept.
func TestRetrieveScopesIntrospectionNotSaid(t *testing.T) {
	for _, body := range []string{`{"active":true}`, `{"active":true,"scope":null}`} {
		t.Run(body, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(body))
			}))
			defer srv.Close()
			c := NewCredentials(CredentialsConfig{ClientID: "cid", ClientSecret: "cs", Scopes: []string{"requested"},
				IntrospectionURI: srv.URL, HTTPClient: srv.Client()},
				&Token{AccessToken: "at", Scopes: []string{"openid", "api:read"}})
			got, err := c.RetrieveScopes(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"openid", "api:read"}
			if !slices.Equal(got, want) || !slices.Equal(c.Scopes(), want) || !c.HasScopes("api:read") {
				t.Errorf("scopes = %v, Scopes() = %v, want %v", got, c.Scopes(), want)
			}
			if g := c.State().GrantedScopes; g != nil {
				t.Errorf("GrantedScopes = %v, want nil (nothing learnt)", g)
			}
		})
	}
}

func TestRetrieveScopesTokenInfo(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		want    []string
		errText string
	}{
		{name: "google", status: 200, body: `{"azp":"x","scope":"https://www.googleapis.com/auth/calendar email","expires_in":"3599"}`,
			want: []string{"https://www.googleapis.com/auth/calendar", "email"}},
		{name: "invalid token", status: 400, body: `{"error":"invalid_token","error_description":"Invalid Value"}`,
			errText: `tokeninfo endpoint: invalid_token: "Invalid Value" (HTTP 400)`},
		{name: "not JSON", status: 200, body: `nope`, errText: "malformed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				if r.Method != http.MethodGet || q.Get("access_token") != "at" || q.Get("fields") != "scope" || q.Get("keep") != "1" {
					t.Errorf("request %s %s", r.Method, r.URL.RawQuery)
				}
				if r.UserAgent() != "ua" {
					t.Errorf("User-Agent = %q", r.UserAgent())
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			c := NewCredentials(CredentialsConfig{TokenInfoURI: srv.URL + "/tokeninfo?keep=1", UserAgent: "ua", HTTPClient: srv.Client()},
				&Token{AccessToken: "at"})
			got, err := c.RetrieveScopes(t.Context())
			if tc.errText == "" {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tc.want) || !c.HasScopes(tc.want...) {
					t.Errorf("scopes = %v, Scopes() = %v", got, c.Scopes())
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Endpoint != "tokeninfo" {
				t.Fatalf("error = %#v", err)
			}
			if !strings.Contains(err.Error(), tc.errText) {
				t.Errorf("error %q does not contain %q", err, tc.errText)
			}
			if strings.Contains(err.Error(), "access_token=") {
				t.Errorf("error %q quotes the URL", err)
			}
		})
	}
}

func TestRetrieveScopesNoEndpoint(t *testing.T) {
	c := NewCredentials(CredentialsConfig{}, &Token{AccessToken: "at"})
	if _, err := c.RetrieveScopes(t.Context()); !errors.Is(err, ErrNoEndpoint) {
		t.Errorf("error = %v, want ErrNoEndpoint", err)
	}
}

func TestRetrievedScopesYieldToNewTokenScopes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"active":true,"scope":"a b"}`))
	}))
	defer srv.Close()
	c := NewCredentials(CredentialsConfig{IntrospectionURI: srv.URL, HTTPClient: srv.Client()}, &Token{AccessToken: "at"})
	if _, err := c.RetrieveScopes(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.receive(&Token{AccessToken: "at2"}) // the response did not say: keep what we learned
	if !c.HasScopes("a", "b") {
		t.Errorf("Scopes() = %v", c.Scopes())
	}
	c.receive(&Token{AccessToken: "at3", Scopes: []string{"c"}})
	if !slices.Equal(c.Scopes(), []string{"c"}) {
		t.Errorf("Scopes() = %v, want the new token's", c.Scopes())
	}
}
