package oauth2client_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// TestOIDCProviderPARUserInfoLogout runs issue 10's PAR and OpenID Connect
// extras against oidc-provider: a pushed authorization request (client
// authenticated, public and confidential), the login, UserInfo checked
// against the verified ID token, and the RP-initiated logout URL, which the
// provider answers with its logout confirmation page.
func TestOIDCProviderPARUserInfoLogout(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	ctx := context.Background()
	if endpoint.PushedAuthURL == "" || endpoint.EndSessionURL == "" || endpoint.RequirePAR {
		t.Fatalf("discovery: PushedAuthURL %q, EndSessionURL %q, RequirePAR %t", endpoint.PushedAuthURL, endpoint.EndSessionURL, endpoint.RequirePAR)
	}
	for _, client := range []oidcprovidertest.Client{p.Public, p.Basic, p.Post} {
		t.Run(client.ID, func(t *testing.T) {
			v, err := idtoken.New(&idtoken.Options{Issuer: endpoint.Issuer, Audiences: []string{client.ID}, JWKSURL: endpoint.JWKSURL})
			if err != nil {
				t.Fatal(err)
			}
			flow, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID: client.ID, ClientSecret: client.Secret, Endpoint: *endpoint, PAR: true,
				RedirectURL: "http://127.0.0.1:53682/callback", Scopes: []string{"openid", "email"},
				IDTokenVerifier: v,
			})
			if err != nil {
				t.Fatal(err)
			}
			authURL, err := flow.AuthCodeURL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(authURL)
			if q := u.Query(); len(q) != 2 || !strings.HasPrefix(q.Get("request_uri"), "urn:ietf:params:oauth:request_uri:") {
				t.Errorf("authorization URL query = %v, want client_id and a request_uri", q)
			}
			creds, _ := loginExchange(t, flow, authURL, "alice")
			if !creds.IDTokenVerified() {
				t.Error("ID token not verified")
			}
			claims, err := creds.UserInfo(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if claims["sub"] != "alice" || claims["email"] != "alice@example.com" {
				t.Errorf("userinfo claims = %v", claims)
			}

			logout, err := endpoint.LogoutURL(oauth2client.LogoutOptions{IDTokenHint: creds.CurrentToken().IDToken, State: "bye"})
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.Get(logout)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "/session/end/confirm") {
				t.Errorf("end-session endpoint: HTTP %d:\n%.500s", resp.StatusCode, body)
			}
			// A hint the provider did not sign is refused.
			forged, err := endpoint.LogoutURL(oauth2client.LogoutOptions{IDTokenHint: forgeSub(creds.CurrentToken().IDToken, "mallory")})
			if err != nil {
				t.Fatal(err)
			}
			resp, err = http.Get(forged)
			if err != nil {
				t.Fatal(err)
			}
			body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "id_token_hint") {
				t.Errorf("end-session endpoint with a forged hint: HTTP %d:\n%.300s", resp.StatusCode, body)
			}
		})
	}
}
