package keyring_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/keyring"
)

// ExampleNew keeps credentials in the user's password manager and binds
// them to it, so refreshes are stored there. It needs a keyring (on Linux,
// a running Secret Service), so it has no output check.
func ExampleNew() {
	ctx := context.Background()
	s, err := keyring.New("example-app", nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "client-id", TokenURI: "https://issuer.example/token",
	}, &oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)})
	if err := s.Save(ctx, "alice@example.com", creds.State()); err != nil {
		log.Fatal(err)
	}

	bound, err := store.Bind(ctx, s, "alice@example.com", nil)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := bound.Token(ctx) // refreshes through s when expired
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := s.List(ctx)
	fmt.Println(keys, tok.Type())
}
