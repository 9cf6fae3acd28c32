package oauth2client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/requestobject"
)

// TestOIDCProviderJAR logs in to oidc-provider with signed request objects
// (RFC 9101), sent by value in the authorization URL and pushed inside a
// PAR request (RFC 9126), and gets verified tokens; a request object
// signed with a key the provider does not know is refused.
func TestOIDCProviderJAR(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	ctx := context.Background()
	key, kid, err := clientauth.ParseKey([]byte(p.JAR.PrivateJWK), "native-jar JWK")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := requestobject.New(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	v, err := idtoken.New(&idtoken.Options{Issuer: endpoint.Issuer, Audiences: []string{p.JAR.ID}, JWKSURL: endpoint.JWKSURL})
	if err != nil {
		t.Fatal(err)
	}
	newFlow := func(t *testing.T, par bool, s oauth2client.RequestObjectSigner) *oauth2client.Flow {
		t.Helper()
		flow, err := oauth2client.NewFlow(oauth2client.Config{
			ClientID: p.JAR.ID, Endpoint: *endpoint, PAR: par, RequestObjectSigner: s,
			RedirectURL: "http://127.0.0.1:53682/callback", Scopes: []string{"openid", "email"},
			IDTokenVerifier: v,
		})
		if err != nil {
			t.Fatal(err)
		}
		return flow
	}

	for _, tt := range []struct {
		name string
		par  bool
		want []string // the authorization URL's parameters
	}{
		{"by value", false, []string{"client_id", "request", "response_type", "scope"}},
		{"inside PAR", true, []string{"client_id", "request_uri"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			flow := newFlow(t, tt.par, signer)
			authURL, err := flow.AuthCodeURL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			q := u.Query()
			for _, name := range tt.want {
				if q.Get(name) == "" {
					t.Errorf("authorization URL lacks %s: has %d parameters", name, len(q))
				}
			}
			if len(q) != len(tt.want) {
				t.Errorf("authorization URL has %d parameters, want %d (%v)", len(q), len(tt.want), tt.want)
			}
			creds, _ := loginExchange(t, flow, authURL, "alice")
			if !creds.IDTokenVerified() {
				t.Error("ID token not verified")
			}
			if tok := creds.CurrentToken(); tok.AccessToken == "" {
				t.Error("no access token")
			}
		})
	}

	t.Run("unknown key", func(t *testing.T) {
		other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		forger, err := requestobject.New(other, kid)
		if err != nil {
			t.Fatal(err)
		}
		for _, par := range []bool{false, true} {
			flow := newFlow(t, par, forger)
			authURL, err := flow.AuthCodeURL(ctx)
			if par {
				if err == nil || !strings.Contains(err.Error(), "invalid_request_object") {
					t.Errorf("PAR with a forged request object: err = %v, want invalid_request_object", err)
				}
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			callback, err := oidcprovidertest.Login(ctx, nil, authURL, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if got := callback.Query().Get("error"); got != "invalid_request_object" {
				t.Errorf("forged request object: redirected with error %q, want invalid_request_object", got)
			}
		}
	})
}
