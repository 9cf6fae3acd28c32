package clientcredentials_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"log"

	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/clientcredentials"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// A service gets tokens for itself, authenticating with private_key_jwt.
// The token source is shared by all goroutines: it makes one token request
// per token lifetime, in the background before expiry.
func Example() {
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	srv := oauth2test.NewServer(nil) // the authorization server
	defer srv.Close()
	if err := srv.RegisterClient(oauth2test.Client{ID: "svc", AuthMethod: oauth2test.AuthMethodPrivateKeyJWT, PublicKey: key.Public()}); err != nil {
		log.Fatal(err)
	}

	auth, err := clientauth.NewPrivateKeyJWT(key, "key-1", nil)
	if err != nil {
		log.Fatal(err)
	}
	cfg := &clientcredentials.Config{
		TokenURL:   srv.URL + oauth2test.PathToken,
		ClientID:   "svc",
		ClientAuth: auth,
		Scopes:     []string{"read"},
		Resources:  []string{"https://api.example/"},
	}
	src := cfg.TokenSource()
	tok, err := src.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Type(), tok.Scopes)
	// Output: Bearer [read]
}
