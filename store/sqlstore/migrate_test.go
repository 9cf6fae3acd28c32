package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/sqlstore/postgres"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// rawBackend gives tests SQL access to a medium before a store opens it.
type rawBackend struct {
	name string
	// prepare returns a function running SQL on a medium and one opening
	// a store on it.
	prepare func(t *testing.T) (exec func(string), open func(*sqlstore.Options) (*sqlstore.Store, error))
}

func rawBackends() []rawBackend {
	return []rawBackend{
		{"sqlite", func(t *testing.T) (func(string), func(*sqlstore.Options) (*sqlstore.Store, error)) {
			path := filepath.Join(t.TempDir(), "m.db")
			base := openSQLite(t, path, &sqlstore.Options{Table: "unused"})
			exec := func(q string) {
				t.Helper()
				if _, err := base.DB().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			return exec, func(o *sqlstore.Options) (*sqlstore.Store, error) { return sqlite.Open(ctx, path, o) }
		}},
		{"postgres", func(t *testing.T) (func(string), func(*sqlstore.Options) (*sqlstore.Store, error)) {
			dsn := postgresDSN(t)
			base := openPostgres(t, dsn, &sqlstore.Options{Table: "unused"})
			exec := func(q string) {
				t.Helper()
				if _, err := base.DB().ExecContext(ctx, q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			return exec, func(o *sqlstore.Options) (*sqlstore.Store, error) { return postgres.Open(ctx, dsn, o) }
		}},
	}
}

// TestMigrateOlderTable: a table holding only key and credential (no
// primary key) gains version and updated_at, keeps its rows, and works.
func TestMigrateOlderTable(t *testing.T) {
	for _, b := range rawBackends() {
		t.Run(b.name, func(t *testing.T) {
			exec, open := b.prepare(t)
			table := uniqueTable()
			cred, err := storetest.Credentials("old-at", expiry).MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			exec(fmt.Sprintf(`CREATE TABLE %s ("key" TEXT NOT NULL, credential TEXT NOT NULL)`, table))
			exec(fmt.Sprintf(`INSERT INTO %s ("key", credential) VALUES ('k', '%s')`, table, cred))
			for i := range 2 { // the second open finds the work done
				s, err := open(&sqlstore.Options{Table: table})
				if err != nil {
					t.Fatalf("open %d: %v", i, err)
				}
				defer s.Close()
				want := []string{"old-at", "z"}[i] // increment0 stores z
				c, err := s.Load(ctx, "k")
				if err != nil || c.Token.AccessToken != want {
					t.Fatalf("Load after migration: %v, %v", c, err)
				}
				if err := s.Update(ctx, "k", increment0); err != nil {
					t.Fatal(err)
				}
				if err := s.Save(ctx, "k2", storetest.Credentials("x", expiry)); err != nil {
					t.Fatal(err)
				}
				var v int
				if err := s.DB().QueryRowContext(ctx, fmt.Sprintf(`SELECT version FROM %s WHERE "key" = 'k'`, table)).Scan(&v); err != nil || v != 2+i {
					t.Errorf("version %d, %v; want %d", v, err, 2+i)
				}
			}
		})
	}
}

// TestMigrateRefusals: a newer layout or a foreign table is an error
// naming the table, and nothing is changed.
func TestMigrateRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup []string
		want  string
	}{
		{"newer layout", []string{
			`CREATE TABLE %[1]s_schema (version INTEGER NOT NULL)`,
			`INSERT INTO %[1]s_schema (version) VALUES (99)`,
		}, "layout version 99"},
		{"foreign table", []string{`CREATE TABLE %[1]s (id INTEGER, name TEXT)`}, "without a key column"},
	}
	for _, b := range rawBackends() {
		for _, c := range cases {
			t.Run(b.name+"/"+c.name, func(t *testing.T) {
				exec, open := b.prepare(t)
				table := uniqueTable()
				for _, q := range c.setup {
					exec(fmt.Sprintf(q, table))
				}
				s, err := open(&sqlstore.Options{Table: table})
				if err == nil {
					s.Close()
					t.Fatal("open succeeded")
				}
				t.Log(err)
				if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), table) {
					t.Errorf("error %q, want one naming %s and containing %q", err, table, c.want)
				}
			})
		}
	}
}

// TestConcurrentOpens: stores opened at once on an empty database all
// succeed and record the layout once.
func TestConcurrentOpens(t *testing.T) {
	for _, b := range rawBackends() {
		t.Run(b.name, func(t *testing.T) {
			_, open := b.prepare(t)
			table := uniqueTable()
			const n = 8
			stores := make([]*sqlstore.Store, n)
			errs := make([]error, n)
			start := make(chan struct{})
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					stores[i], errs[i] = open(&sqlstore.Options{Table: table})
				}()
			}
			close(start)
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("open %d: %v", i, err)
					continue
				}
				defer stores[i].Close()
			}
			if t.Failed() {
				return
			}
			var rows, v int
			if err := stores[0].DB().QueryRowContext(ctx, fmt.Sprintf(`SELECT count(*), max(version) FROM %s_schema`, table)).Scan(&rows, &v); err != nil || rows != 1 || v != 2 {
				t.Errorf("schema table: %d rows, version %d, %v; want 1 row, version 2", rows, v, err)
			}
			if err := stores[n-1].Save(ctx, "k", storetest.Credentials("a", expiry)); err != nil {
				t.Fatal(err)
			}
		})
	}
}
