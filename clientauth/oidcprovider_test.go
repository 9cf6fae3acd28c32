package clientauth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/clientcredentials"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// TestOIDCProviderChoose lets Choose read oidc-provider's discovered
// methods: a key gives private_key_jwt, which gets a client-credentials
// token; a server listing no JWT method is refused for the key.
func TestOIDCProviderChoose(t *testing.T) {
	p := oidcprovidertest.Start(t)
	ctx := context.Background()
	ep := p.Endpoint(t)
	key, kid, err := clientauth.ParseKey([]byte(p.KeyJWT.PrivateJWK), "private_jwk")
	if err != nil {
		t.Fatal(err)
	}
	auth, err := clientauth.Choose(*ep, clientauth.Keys{Key: key, KeyID: kid}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth.Method() != "private_key_jwt" {
		t.Fatalf("Choose = %s, want private_key_jwt (server lists %v)", auth.Method(), ep.TokenAuthMethods)
	}
	cfg := clientcredentials.Config{TokenURL: ep.TokenURL, ClientID: p.KeyJWT.ID, ClientAuth: auth}
	if _, err := cfg.TokenSource().Token(ctx); err != nil {
		t.Fatal(err)
	}

	noJWT := *ep
	noJWT.TokenAuthMethods = []string{"client_secret_basic", "client_secret_post", "none"}
	if _, err := clientauth.Choose(noJWT, clientauth.Keys{Key: key, KeyID: kid}, nil); !errors.Is(err, clientauth.ErrNoJWTMethod) {
		t.Errorf("Choose with no JWT method listed: err = %v, want ErrNoJWTMethod", err)
	}
}
