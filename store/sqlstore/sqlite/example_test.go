package sqlite_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	s, err := sqlite.Open(ctx, filepath.Join(dir, "credentials.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	c := &oauth2client.CredentialsState{
		ClientID: "my-client", TokenURI: "https://auth.example.com/token",
		Token: &oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)},
	}
	if err := s.Save(ctx, "alice", c); err != nil {
		log.Fatal(err)
	}

	// An atomic read-modify-write: here, a new access token.
	err = s.Update(ctx, "alice", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		cur.Token.AccessToken = "at-2"
		return cur, nil
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
	fmt.Println(keys, got.ClientID, got.Token.AccessToken)
	// Output: [alice] my-client at-2
}
