package oauth2test_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// The PAR endpoint: advertised, authenticating the client, refusing what
// RFC 9126 §2.1 refuses, answering 201 with a request_uri and expires_in.
func TestPAREndpoint(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{AutoApprove: true, PARTTL: 30 * time.Second})
	d := get(t, s, oauth2test.PathOIDCConfig).json(t)
	if d["pushed_authorization_request_endpoint"] != s.URL+oauth2test.PathPAR || d["require_pushed_authorization_requests"] != false {
		t.Errorf("discovery PAR fields = %v, %v", d["pushed_authorization_request_endpoint"], d["require_pushed_authorization_requests"])
	}
	basicForm := func(extra ...string) url.Values {
		q := authQuery(append([]string{"client_id", basicID, "redirect_uri", "http://127.0.0.1:9/callback"}, extra...)...)
		return q
	}
	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		wantStatus int
		wantErr    string
	}{
		{"good", basicForm(), basicID, secret, http.StatusCreated, ""},
		{"public client", authQuery(), "", "", http.StatusCreated, ""},
		{"wrong secret", basicForm(), basicID, "nope", http.StatusUnauthorized, "invalid_client"},
		{"request_uri pushed", basicForm("request_uri", "urn:x"), basicID, secret, http.StatusBadRequest, "invalid_request"},
		{"unregistered redirect", basicForm("redirect_uri", "https://evil.example/cb"), basicID, secret, http.StatusBadRequest, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postForm(t, s, oauth2test.PathPAR, tt.form, tt.user, tt.pass)
			if r.status != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tt.wantStatus, r.body)
			}
			m := r.json(t)
			if tt.wantErr != "" {
				if m["error"] != tt.wantErr {
					t.Errorf("error = %v, want %s", m["error"], tt.wantErr)
				}
				return
			}
			uri, _ := m["request_uri"].(string)
			if !strings.HasPrefix(uri, "urn:ietf:params:oauth:request_uri:") || m["expires_in"] != float64(30) {
				t.Errorf("answer = %v", m)
			}
		})
	}
}

// An authorization request with a request_uri uses the pushed parameters,
// once; another client cannot use it; RequirePAR refuses plain requests.
func TestPARAuthorize(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{AutoApprove: true, RequirePAR: true})
	if r := get(t, s, oauth2test.PathAuthorize+"?"+authQuery().Encode()); r.status != http.StatusBadRequest {
		t.Errorf("plain request with RequirePAR: status %d, want 400", r.status)
	}
	push := func() string {
		r := postForm(t, s, oauth2test.PathPAR, authQuery(), "", "")
		if r.status != http.StatusCreated {
			t.Fatalf("push: %d %s", r.status, r.body)
		}
		return r.json(t)["request_uri"].(string)
	}
	uri := push()
	if r := get(t, s, oauth2test.PathAuthorize+"?"+url.Values{"client_id": {basicID}, "request_uri": {uri}}.Encode()); r.status != http.StatusBadRequest {
		t.Errorf("another client's request_uri: status %d, want 400", r.status)
	}
	uri = push()
	cb := authorize(t, s, url.Values{"client_id": {publicID}, "request_uri": {uri}})
	if cb.Get("code") == "" || cb.Get("state") != "st4te" {
		t.Errorf("callback = %v, want a code and the pushed state", cb)
	}
	if r := get(t, s, oauth2test.PathAuthorize+"?"+url.Values{"client_id": {publicID}, "request_uri": {uri}}.Encode()); r.status != http.StatusBadRequest {
		t.Errorf("used request_uri: status %d, want 400", r.status)
	}
	uri = push()
	s.Advance(oauth2test.DefaultPARTTL)
	cb = authorize(t, s, url.Values{"client_id": {publicID}, "request_uri": {uri}})
	if cb.Get("error") != "invalid_request_uri" || cb.Get("state") != "st4te" {
		t.Errorf("expired request_uri: callback = %v, want invalid_request_uri", cb)
	}
}
