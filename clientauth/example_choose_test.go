package clientauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"fmt"
	"log"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/clientcredentials"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// A client with a private key lets discovery decide how to use it: the
// server lists private_key_jwt, so each token request carries an
// assertion signed with the key.
func ExampleChoose() {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	srv := oauth2test.NewServer(nil) // the authorization server
	defer srv.Close()
	if err := srv.RegisterClient(oauth2test.Client{ID: "svc", AuthMethod: oauth2test.AuthMethodPrivateKeyJWT, PublicKey: key.Public()}); err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	ep, err := oauth2client.Discover(ctx, srv.URL, nil)
	if err != nil {
		log.Fatal(err)
	}
	auth, err := clientauth.Choose(*ep, clientauth.Keys{Key: key, KeyID: "key-1"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	cfg := &clientcredentials.Config{TokenURL: ep.TokenURL, ClientID: "svc", ClientAuth: auth, Scopes: []string{"read"}}
	tok, err := cfg.TokenSource().Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(auth.Method(), tok.Type())
	// Output: private_key_jwt Bearer
}
