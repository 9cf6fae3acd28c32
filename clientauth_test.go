package oauth2client

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// seenRequest is what a test endpoint received.
type seenRequest struct {
	path, auth, dpop string
	form             url.Values
}

// recorder is a test authorization server that records every request and
// answers token requests with a token of type tokenType, everything else
// with what the endpoint expects.
type recorder struct {
	*httptest.Server
	tokenType string

	mu   sync.Mutex
	seen []seenRequest
}

func newRecorder(t *testing.T) *recorder {
	t.Helper()
	rec := &recorder{tokenType: "Bearer"}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		rec.mu.Lock()
		rec.seen = append(rec.seen, seenRequest{r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("DPoP"), r.PostForm})
		rec.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/token":
			io.WriteString(w, `{"access_token":"at-new","token_type":"`+rec.tokenType+`","expires_in":3600}`)
		case "/device":
			io.WriteString(w, `{"device_code":"dc","user_code":"UC","verification_uri":"https://example.com/d"}`)
		case "/introspect":
			io.WriteString(w, `{"active":true,"scope":"a b"}`)
		}
	}))
	t.Cleanup(rec.Close)
	return rec
}

// requests returns the requests seen so far.
func (rec *recorder) requests() []seenRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seenRequest(nil), rec.seen...)
}

func TestAuthStyleClientAuth(t *testing.T) {
	t.Parallel()
	const id, secret = "id with space:1", "se+cr/et&?"
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("id+with+space%3A1:se%2Bcr%2Fet%26%3F"))
	tests := []struct {
		style                      AuthStyle
		secret                     string
		wantMethod, wantAuth, form string
	}{
		{AuthStyleBasic, secret, "client_secret_basic", basic, "grant_type=client_credentials"},
		{AuthStyleAuto, secret, "client_secret_basic", basic, "grant_type=client_credentials"},
		{AuthStylePost, secret, "client_secret_post", "", "client_id=id+with+space%3A1&client_secret=se%2Bcr%2Fet%26%3F&grant_type=client_credentials"},
		{AuthStyleNone, secret, "none", "", "client_id=id+with+space%3A1&grant_type=client_credentials"},
		{AuthStyleAuto, "", "none", "", "client_id=id+with+space%3A1&grant_type=client_credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.style.String()+"/"+tt.wantMethod, func(t *testing.T) {
			t.Parallel()
			a := tt.style.ClientAuth(tt.secret)
			if a.Method() != tt.wantMethod {
				t.Errorf("Method() = %q, want %q", a.Method(), tt.wantMethod)
			}
			if s, ok := a.(interface{ String() string }); ok && strings.Contains(s.String(), "se+cr") {
				t.Errorf("String() shows the secret")
			}
			rec := newRecorder(t)
			_, err := RequestToken(context.Background(), &TokenRequest{URL: rec.URL + "/token",
				Params: url.Values{"grant_type": {"client_credentials"}}, ClientID: id, ClientSecret: tt.secret, AuthStyle: tt.style})
			if err != nil {
				t.Fatal(err)
			}
			got := rec.requests()[0]
			if got.auth != tt.wantAuth || got.form.Encode() != tt.form {
				t.Errorf("sent Authorization %q, form %q; want %q, %q", got.auth, got.form.Encode(), tt.wantAuth, tt.form)
			}
		})
	}
}

// assertionAuth is a ClientAuth of the kind a private_key_jwt would be: it
// needs the endpoint, its URL and the client id, and adds form fields.
type assertionAuth struct {
	mu   sync.Mutex
	seen []ClientAuthRequest
}

func (a *assertionAuth) Method() string { return "private_key_jwt" }

func (a *assertionAuth) Authenticate(_ context.Context, r *ClientAuthRequest) error {
	a.mu.Lock()
	a.seen = append(a.seen, ClientAuthRequest{Endpoint: r.Endpoint, URL: r.URL, Issuer: r.Issuer, ClientID: r.ClientID})
	a.mu.Unlock()
	r.Form.Set("client_id", r.ClientID)
	r.Form.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
	r.Form.Set("client_assertion", "signed-for:"+r.URL)
	return nil
}

// TestExplicitClientAuth: a ClientAuth set on Config, CredentialsConfig or
// TokenRequest authenticates every request to the token, device
// authorization, revocation and introspection endpoints, in place of
// AuthStyle and the client secret.
func TestExplicitClientAuth(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t)
	auth := &assertionAuth{}
	ctx := context.Background()
	f, err := NewFlow(Config{
		ClientID: "cid", ClientSecret: "unused-secret", AuthStyle: AuthStyleBasic, ClientAuth: auth,
		Endpoint: Endpoint{Issuer: "https://issuer.example", AuthURL: rec.URL + "/auth", TokenURL: rec.URL + "/token",
			DeviceAuthURL: rec.URL + "/device", RevocationURL: rec.URL + "/revoke", IntrospectionURL: rec.URL + "/introspect"},
		InsecureSkipPKCE: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.DeviceAuth(ctx); err != nil {
		t.Fatal(err)
	}
	creds, err := f.Exchange(ctx, "code")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := creds.RetrieveScopes(ctx); err != nil {
		t.Fatal(err)
	}
	if err := creds.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := RequestToken(ctx, &TokenRequest{URL: rec.URL + "/token", ClientID: "cid", ClientAuth: auth,
		Params: url.Values{"grant_type": {"client_credentials"}}}); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	wantPaths := []string{"/device", "/token", "/introspect", "/revoke", "/token"}
	if len(reqs) != len(wantPaths) {
		t.Fatalf("server saw %d requests, want %d", len(reqs), len(wantPaths))
	}
	for i, r := range reqs {
		if r.path != wantPaths[i] || r.auth != "" || r.form.Has("client_secret") ||
			r.form.Get("client_assertion") != "signed-for:"+rec.URL+wantPaths[i] {
			t.Errorf("request %d: %+v, want %s authenticated by the assertion only", i, r, wantPaths[i])
		}
	}
	wantEndpoints := []string{"device authorization", "token", "introspection", "revocation", "token"}
	for i, s := range auth.seen {
		if s.Endpoint != wantEndpoints[i] || s.ClientID != "cid" {
			t.Errorf("ClientAuth call %d: %+v", i, s)
		}
		if i < 2 && s.Issuer != "https://issuer.example" { // the flow's requests
			t.Errorf("ClientAuth call %d lacks the flow's issuer: %+v", i, s)
		}
	}
}
