package clientcredentials_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/clientcredentials"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// TestOIDCProvider gets client-credentials tokens from oidc-provider, a
// certified OpenID Provider nobody here wrote, with each client
// authentication: client_secret_basic, client_secret_post,
// private_key_jwt (its key a private JWK) and client_secret_jwt, the
// assertions' aud being the token endpoint (RequestToken knows no issuer).
func TestOIDCProvider(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	key, kid, err := clientauth.ParseKey([]byte(p.KeyJWT.PrivateJWK), "private_jwk")
	if err != nil {
		t.Fatal(err)
	}
	keyJWT, err := clientauth.NewPrivateKeyJWT(key, kid, nil)
	if err != nil {
		t.Fatal(err)
	}
	secretJWT, err := clientauth.NewClientSecretJWT(p.SecretJWT.Secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cfg  clientcredentials.Config
	}{
		{"client_secret_basic", clientcredentials.Config{ClientID: p.Basic.ID, ClientSecret: p.Basic.Secret, AuthStyle: oauth2client.AuthStyleBasic}},
		{"client_secret_post", clientcredentials.Config{ClientID: p.Post.ID, ClientSecret: p.Post.Secret, AuthStyle: oauth2client.AuthStylePost}},
		{"private_key_jwt", clientcredentials.Config{ClientID: p.KeyJWT.ID, ClientAuth: keyJWT}},
		{"client_secret_jwt", clientcredentials.Config{ClientID: p.SecretJWT.ID, ClientAuth: secretJWT}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.TokenURL = endpoint.TokenURL
			src := tt.cfg.TokenSource()
			tok, err := src.Token(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken == "" || tok.Expiry.IsZero() {
				t.Errorf("token %+v", tok)
			}
			again, err := src.Token(t.Context())
			if err != nil || again.AccessToken != tok.AccessToken {
				t.Errorf("second Token is not the cached one: %v", err)
			}
		})
	}

	// With the issuer known, as in a Flow, the aud is the issuer, which
	// oidc-provider accepts too.
	for _, auth := range []oauth2client.ClientAuth{keyJWT, secretJWT} {
		id := map[string]string{"private_key_jwt": p.KeyJWT.ID, "client_secret_jwt": p.SecretJWT.ID}[auth.Method()]
		r := &oauth2client.ClientAuthRequest{
			Endpoint: "token", URL: endpoint.TokenURL, Issuer: p.Issuer, ClientID: id,
			Form: url.Values{"grant_type": {"client_credentials"}}, Header: http.Header{},
		}
		if err := auth.Authenticate(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		resp, err := http.PostForm(endpoint.TokenURL, r.Form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s with aud = issuer: HTTP %d", auth.Method(), resp.StatusCode)
		}
	}
}
