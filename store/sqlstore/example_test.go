package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store/sqlstore"
	_ "github.com/oauth2client/oauth2client/store/sqlstore/sqlite" // registers modernc.org/sqlite's "sqlite" driver
)

// New keeps credentials in a table of a database the program already has
// open; the store leaves the database open for its owner.
func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	db, err := sql.Open("sqlite", filepath.Join(dir, "app.db")+"?_pragma=busy_timeout(30000)")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, &sqlstore.Options{Table: "app_credentials"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close() // db stays open

	c := &oauth2client.CredentialsState{
		ClientID: "my-client", TokenURI: "https://auth.example.com/token",
		Token: &oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)},
	}
	if err := s.Save(ctx, "alice", c); err != nil {
		log.Fatal(err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM app_credentials`).Scan(&n); err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, "row")
	// Output: 1 row
}
