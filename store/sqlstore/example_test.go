package sqlstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store/sqlstore"
)

func ExampleOpenSQLite() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlstore.OpenSQLite(ctx, filepath.Join(dir, "credentials.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	c := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "my-client", TokenURI: "https://auth.example.com/token",
	}, &oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)})
	if err := s.Save(ctx, "alice", c); err != nil {
		log.Fatal(err)
	}

	// An atomic read-modify-write: here, a new access token.
	err = s.Update(ctx, "alice", func(cur *oauth2client.Credentials) (*oauth2client.Credentials, error) {
		tok := *cur.CurrentToken()
		tok.AccessToken = "at-2"
		return oauth2client.NewCredentials(cur.Config(), &tok), nil
	})
	if err != nil {
		log.Fatal(err)
	}

	keys, err := s.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	got, err := s.Load(ctx, "alice")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(keys, got.Config().ClientID, got.CurrentToken().AccessToken)
	// Output: [alice] my-client at-2
}
