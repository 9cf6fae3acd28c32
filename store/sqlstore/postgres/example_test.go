package postgres_test

import (
	"context"
	"log"
	"os"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/sqlstore/postgres"
)

// Replicas of a web application share one PostgreSQL store: credentials
// bound to it refresh once between them.
func ExampleOpen() {
	ctx := context.Background()
	// For example postgres://app:PASSWORD@db.internal:5432/app; errors
	// name the host, port and database, never the password.
	s, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"), &sqlstore.Options{Table: "app_credentials"})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	c, err := store.Bind(ctx, s, "alice", nil)
	if err != nil {
		log.Fatal(err)
	}
	_ = c.Client(nil) // an *http.Client that refreshes through the store
}
