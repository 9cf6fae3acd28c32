package oauth2test_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/oauth2test"
)

const jwtSecret = "client-secret-jwt-secret-of-32-bytes-or-more"

// assertionForm returns the form of a client_credentials request from id
// authenticated by auth for the endpoint at path.
func assertionForm(t *testing.T, s *oauth2test.Server, auth oauth2client.ClientAuth, id, path string) url.Values {
	t.Helper()
	r := &oauth2client.ClientAuthRequest{
		Endpoint: "token", URL: s.URL + path, ClientID: id,
		Form: url.Values{"grant_type": {"client_credentials"}}, Header: http.Header{},
	}
	if err := auth.Authenticate(context.Background(), r); err != nil {
		t.Fatal(err)
	}
	return r.Form
}

func TestClientAssertionAuth(t *testing.T) {
	t.Parallel()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, other, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := oauth2test.NewServer(nil)
	t.Cleanup(s.Close)
	for _, c := range []oauth2test.Client{
		{ID: "pk", AuthMethod: oauth2test.AuthMethodPrivateKeyJWT, PublicKey: ec.Public()},
		{ID: "sj", AuthMethod: oauth2test.AuthMethodSecretJWT, Secret: jwtSecret},
		{ID: "basic", Secret: "basic-secret"},
	} {
		if err := s.RegisterClient(c); err != nil {
			t.Fatal(err)
		}
	}
	pk, err := clientauth.NewPrivateKeyJWT(ec, "k1", nil)
	if err != nil {
		t.Fatal(err)
	}
	sj, err := clientauth.NewClientSecretJWT(jwtSecret, nil)
	if err != nil {
		t.Fatal(err)
	}
	wrongKey, _ := clientauth.NewPrivateKeyJWT(other, "", nil)
	wrongSecret, _ := clientauth.NewClientSecretJWT(strings.Repeat("x", 32), nil)
	expired, _ := clientauth.NewPrivateKeyJWT(ec, "", &clientauth.Options{Now: func() time.Time { return time.Now().Add(-time.Hour) }})
	longLived, _ := clientauth.NewPrivateKeyJWT(ec, "", &clientauth.Options{Lifetime: 24 * time.Hour})
	elsewhere, _ := clientauth.NewPrivateKeyJWT(ec, "", &clientauth.Options{Audience: clientauth.AudienceTokenEndpoint, TokenURL: "https://elsewhere.example/token"})

	tests := []struct {
		name   string
		auth   oauth2client.ClientAuth
		id     string
		edit   func(url.Values)
		status int
		code   string
	}{
		{name: "private_key_jwt", auth: pk, id: "pk", status: 200},
		{name: "client_secret_jwt", auth: sj, id: "sj", status: 200},
		{name: "wrong key", auth: wrongKey, id: "pk", status: 401, code: "invalid_client"},
		{name: "wrong secret", auth: wrongSecret, id: "sj", status: 401, code: "invalid_client"},
		{name: "hmac for a key client", auth: sj, id: "pk", status: 401, code: "invalid_client"},
		{name: "key for a secret client", auth: pk, id: "sj", status: 401, code: "invalid_client"},
		{name: "assertion for a basic client", auth: sj, id: "basic", status: 401, code: "invalid_client"},
		{name: "expired", auth: expired, id: "pk", status: 401, code: "invalid_client"},
		{name: "exp too far", auth: longLived, id: "pk", status: 401, code: "invalid_client"},
		{name: "aud elsewhere", auth: elsewhere, id: "pk", status: 401, code: "invalid_client"},
		{name: "client_id mismatch", auth: pk, id: "pk", edit: func(f url.Values) { f.Set("client_id", "sj") }, status: 401, code: "invalid_client"},
		{name: "wrong assertion type", auth: pk, id: "pk", edit: func(f url.Values) { f.Set("client_assertion_type", "x") }, status: 401, code: "invalid_client"},
		{name: "assertion and secret", auth: pk, id: "pk", edit: func(f url.Values) { f.Set("client_secret", "x") }, status: 400, code: "invalid_request"},
		{name: "garbage", auth: pk, id: "pk", edit: func(f url.Values) { f.Set("client_assertion", "a.b.c") }, status: 401, code: "invalid_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := assertionForm(t, s, tt.auth, tt.id, oauth2test.PathToken)
			if tt.edit != nil {
				tt.edit(f)
			}
			r := postForm(t, s, oauth2test.PathToken, f, "", "")
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.code != "" && r.json(t)["error"] != tt.code {
				t.Errorf("error %v, want %s", r.json(t)["error"], tt.code)
			}
		})
	}

	t.Run("replay", func(t *testing.T) {
		t.Parallel()
		f := assertionForm(t, s, pk, "pk", oauth2test.PathToken)
		if r := postForm(t, s, oauth2test.PathToken, f, "", ""); r.status != 200 {
			t.Fatalf("first: %d %s", r.status, r.body)
		}
		r := postForm(t, s, oauth2test.PathToken, f, "", "")
		if r.status != 401 || !strings.Contains(r.body, "replayed") {
			t.Fatalf("replay: %d %s", r.status, r.body)
		}
	})
	t.Run("library, every endpoint", func(t *testing.T) {
		t.Parallel()
		for _, auth := range []oauth2client.ClientAuth{pk, sj} {
			id := map[string]string{"private_key_jwt": "pk", "client_secret_jwt": "sj"}[auth.Method()]
			tok, err := oauth2client.RequestToken(t.Context(), &oauth2client.TokenRequest{
				URL: s.URL + oauth2test.PathToken, ClientID: id, ClientAuth: auth,
				Params: url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}},
			})
			if err != nil {
				t.Fatalf("%s: %v", auth.Method(), err)
			}
			// Introspection authenticates the client with a fresh
			// assertion whose aud is the introspection endpoint.
			f := assertionForm(t, s, auth, id, oauth2test.PathIntrospect)
			f.Del("grant_type")
			f.Set("token", tok.AccessToken)
			r := postForm(t, s, oauth2test.PathIntrospect, f, "", "")
			if r.status != 200 || r.json(t)["active"] != true {
				t.Errorf("%s introspection: %d %s", auth.Method(), r.status, r.body)
			}
		}
	})
}

func TestRegisterJWTClientErrors(t *testing.T) {
	t.Parallel()
	s := oauth2test.NewServer(nil)
	t.Cleanup(s.Close)
	for _, c := range []oauth2test.Client{
		{ID: "a", AuthMethod: oauth2test.AuthMethodPrivateKeyJWT},
		{ID: "b", AuthMethod: oauth2test.AuthMethodSecretJWT, Secret: "short"},
	} {
		if err := s.RegisterClient(c); err == nil {
			t.Errorf("RegisterClient(%s, %s) succeeded", c.ID, c.AuthMethod)
		}
	}
}
