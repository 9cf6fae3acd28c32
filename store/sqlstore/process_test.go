package sqlstore_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/sqlstore/postgres"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// Environment of a helper process.
const (
	envDialect = "SQLSTORE_HELPER_DIALECT"
	envTarget  = "SQLSTORE_HELPER_TARGET" // SQLite path or PostgreSQL DSN
	envTable   = "SQLSTORE_HELPER_TABLE"
)

// TestHelperProcess is a child of TestCrossProcessRefreshOnce, in the
// role "token" ([storetest.TokenChild]) on the store the parent names.
func TestHelperProcess(t *testing.T) {
	storetest.HelperProcess(map[string]func(context.Context) error{
		"token": func(ctx context.Context) error {
			return storetest.TokenChild(ctx, func(ctx context.Context) (store.Store, error) {
				opts := &sqlstore.Options{Table: os.Getenv(envTable)}
				if os.Getenv(envDialect) == "sqlite" {
					return sqlite.Open(ctx, os.Getenv(envTarget), opts)
				}
				return postgres.Open(ctx, os.Getenv(envTarget), opts)
			})
		},
	})
}

// TestCrossProcessRefreshOnce: 4 processes sharing one store whose token
// has expired each ask for a token at the same moment; exactly one refresh
// request reaches the token endpoint and all get its token.
func TestCrossProcessRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	cases := []struct {
		name   string
		target func(t *testing.T) (dialect, target string)
	}{
		{"sqlite", func(t *testing.T) (string, string) { return "sqlite", filepath.Join(t.TempDir(), "shared.db") }},
		{"postgres", func(t *testing.T) (string, string) { return "postgres", postgresDSN(t) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ts := storetest.NewTokenServer(t, true)
			dialect, target := c.target(t)
			table := uniqueTable()
			var s *sqlstore.Store
			if dialect == "sqlite" {
				s = openSQLite(t, target, &sqlstore.Options{Table: table})
			} else {
				s = openPostgres(t, target, &sqlstore.Options{Table: table})
			}
			if err := s.Save(ctx, "k", storetest.ExpiredCredentials(ts.URL)); err != nil {
				t.Fatal(err)
			}
			outs := storetest.RunChildren(t, 4, "token",
				envDialect+"="+dialect, envTarget+"="+target, envTable+"="+table)
			storetest.CheckRefreshedOnce(t, ts, s, "k", outs...)
		})
	}
}
