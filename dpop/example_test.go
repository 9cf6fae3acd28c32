package dpop_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
)

// A flow whose tokens are DPoP-bound, and a client sending them with
// proofs.
func ExampleNewProver() {
	prover, err := dpop.NewProver(nil, nil) // a new ES256 key
	if err != nil {
		log.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:    "app",
		Endpoint:    oauth2client.Endpoint{AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"},
		RedirectURL: "http://127.0.0.1:8080/cb",
		ProofBinder: prover, // token requests carry proofs; tokens are of type DPoP
	})
	if err != nil {
		log.Fatal(err)
	}
	_ = flow // Start, then ExchangeCallback, gives the Credentials:
	var creds *oauth2client.Credentials
	client := &http.Client{Transport: &oauth2client.Transport{Source: creds, ProofBinder: prover}}
	_ = client // requests carry "Authorization: DPoP ..." and a proof naming the token
}

// An EdDSA key for a server that lists EdDSA among its DPoP algorithms,
// and its thumbprint: the "jkt" of the tokens bound to it.
func ExampleGenerateKey() {
	key, err := dpop.GenerateKey("EdDSA")
	if err != nil {
		log.Fatal(err)
	}
	prover, err := dpop.NewProver(key, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(prover.JKT())) // base64url SHA-256
	// Output: 43
}
