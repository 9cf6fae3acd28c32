package sqlite_test

import (
	"context"
	"testing"

	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

var ctx = context.Background()

// openSQLite opens the database at path, closed when the test ends.
func openSQLite(t testing.TB, path string, opts *sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}
