package requestobject_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/requestobject"
)

// authorize follows an authorization URL one step and returns the status
// and the query of the redirect.
func authorize(t *testing.T, authURL string) (int, url.Values) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, loc.Query()
}

// jarFlow starts oauth2test with client "app" whose request objects
// verify with registered, and returns a flow signing with key.
func jarFlow(t *testing.T, key crypto.Signer, registered crypto.PublicKey, par bool) *oauth2client.Flow {
	t.Helper()
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true})
	t.Cleanup(srv.Close)
	if err := srv.RegisterClient(oauth2test.Client{ID: "app", Secret: "app-secret", AnyLoopbackRedirect: true, RequestObjectKey: registered}); err != nil {
		t.Fatal(err)
	}
	endpoint, err := oauth2client.Discover(t.Context(), srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := requestobject.New(key, "k1")
	if err != nil {
		t.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "app", ClientSecret: "app-secret", Endpoint: *endpoint, PAR: par, RequestObjectSigner: signer,
		RedirectURL: "http://127.0.0.1:8080/cb", Scopes: []string{"openid"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return flow
}

// Issue 10, item 5: signed request objects, on their own and inside PAR,
// with each key type; the server uses the signed parameters.
func TestRequestObjectLogin(t *testing.T) {
	t.Parallel()
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	rs, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, key := range []struct {
		name string
		key  crypto.Signer
	}{{"ES256", ec}, {"EdDSA", ed}, {"RS256", rs}} {
		for _, par := range []bool{false, true} {
			name := key.name
			if par {
				name += " in PAR"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				flow := jarFlow(t, key.key, key.key.Public(), par)
				u, err := flow.AuthCodeURL(t.Context())
				if err != nil {
					t.Fatal(err)
				}
				pu, _ := url.Parse(u)
				q := pu.Query()
				want := []string{"client_id", "request", "response_type", "scope"}
				if par {
					want = []string{"client_id", "request_uri"}
				}
				if len(q) != len(want) {
					t.Errorf("authorization URL query has %v, want only %v", q, want)
				}
				for _, k := range want {
					if q.Get(k) == "" {
						t.Errorf("authorization URL lacks %s", k)
					}
				}
				status, cb := authorize(t, u)
				if status != http.StatusFound {
					t.Fatalf("authorize: HTTP %d", status)
				}
				creds, err := flow.ExchangeCallback(t.Context(), cb)
				if err != nil {
					t.Fatalf("exchange (state and PKCE from the request object): %v", err)
				}
				if creds.CurrentToken().AccessToken == "" {
					t.Error("no access token")
				}
			})
		}
	}
}

// A request object signed with a key the server does not know for the
// client is refused: at the authorization endpoint, or by the PAR endpoint
// as invalid_request_object.
func TestRequestObjectWrongKey(t *testing.T) {
	t.Parallel()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	flow := jarFlow(t, key, other.Public(), false)
	u, err := flow.AuthCodeURL(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := authorize(t, u); status != http.StatusBadRequest {
		t.Errorf("authorize with a request object of another key: HTTP %d, want 400", status)
	}

	flow = jarFlow(t, key, other.Public(), true)
	_, err = flow.AuthCodeURL(t.Context())
	var e *oauth2client.Error
	if !errors.As(err, &e) || e.Endpoint != "pushed authorization" || e.Code != "invalid_request_object" {
		t.Errorf("PAR with a request object of another key: %v, want invalid_request_object", err)
	}
}

// New refuses keys it cannot sign with.
func TestNewBadKey(t *testing.T) {
	t.Parallel()
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	for name, key := range map[string]crypto.Signer{"nil": nil, "RSA 1024": small, "P-224": p224} {
		if _, err := requestobject.New(key, ""); err == nil {
			t.Errorf("New(%s) succeeded", name)
		}
	}
}
