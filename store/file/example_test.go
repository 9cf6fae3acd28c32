package file_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/file"
)

func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := file.Open(filepath.Join(dir, "credentials.json"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	// Store credentials under a key of Python's classic shape.
	key := store.ClassicKey("my-client", "my-app/1.0", []string{"openid", "email"})
	creds := &oauth2client.CredentialsState{
		ClientID: "my-client", TokenURI: "https://auth.example.com/token",
		Token: &oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)},
	}
	if err := s.Save(ctx, key, creds); err != nil {
		log.Fatal(err)
	}

	// Later, in any process: bind the stored credentials to the file, so
	// that refreshes are shared through it.
	bound, err := store.Bind(ctx, s, key, nil)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := bound.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	keys, _ := s.List(ctx)
	format, _ := s.Format(ctx)
	fmt.Println(tok.AccessToken)
	fmt.Println(keys)
	fmt.Println(format)
	// Output:
	// at
	// [{"clientId":"my-client","scope":"openid email","userAgent":"my-app/1.0"}]
	// oauth2client-go v1
}
