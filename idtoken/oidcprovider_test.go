package idtoken_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// TestOIDCProviderIDTokens verifies ID tokens issued by oidc-provider, a
// certified OpenID Provider nobody here wrote, against its JWKS found by
// discovery: RS256 (its default) and ES256 (client conf-es256), with the
// flow's nonce and the access token's at_hash.
func TestOIDCProviderIDTokens(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	ctx := context.Background()
	for _, tc := range []struct {
		client  oidcprovidertest.Client
		wantAlg string
	}{
		{p.Post, "RS256"},
		{p.ES256, "ES256"},
	} {
		t.Run(tc.wantAlg, func(t *testing.T) {
			flow, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID: tc.client.ID, ClientSecret: tc.client.Secret, Endpoint: *endpoint,
				RedirectURL: "http://127.0.0.1:53682/callback", Scopes: []string{"openid", "email"},
				AuthStyle: oauth2client.AuthStylePost,
			})
			if err != nil {
				t.Fatal(err)
			}
			authURL, err := flow.AuthCodeURL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			nonce := flow.Pending().Nonce
			callback, err := oidcprovidertest.Login(ctx, nil, authURL, "alice")
			if err != nil {
				t.Fatal(err)
			}
			creds, err := flow.ExchangeCallback(ctx, callback.Query())
			if err != nil {
				t.Fatal(err)
			}
			tok := creds.CurrentToken()
			v, err := idtoken.NewFromDiscovery(ctx, p.Issuer, &idtoken.Options{Audiences: []string{tc.client.ID}})
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(ctx, tok.IDToken, idtoken.WithNonce(nonce), idtoken.WithAccessToken(tok.AccessToken))
			if err != nil {
				t.Fatal(err)
			}
			// oidc-provider puts email in userinfo, not in the ID token,
			// when an access token is issued (conformIdTokenClaims).
			if c.Subject != "alice" || c.Algorithm != tc.wantAlg || c.Issuer != p.Issuer {
				t.Errorf("claims sub=%q alg=%q iss=%q", c.Subject, c.Algorithm, c.Issuer)
			}
			if _, err := v.Verify(ctx, tok.IDToken, idtoken.WithNonce("other")); !errors.Is(err, idtoken.ErrNonce) {
				t.Errorf("wrong nonce: err = %v", err)
			}
			other, err := idtoken.NewFromDiscovery(ctx, p.Issuer, &idtoken.Options{Audiences: []string{"someone-else"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := other.Verify(ctx, tok.IDToken); !errors.Is(err, idtoken.ErrAudience) {
				t.Errorf("other audience: err = %v", err)
			}
		})
	}
}
