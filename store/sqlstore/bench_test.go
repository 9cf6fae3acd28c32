package sqlstore_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/storetest"
)

var benchSizes = []int{1, 100, 10000}

// benchStores returns, per dialect and size, a store holding that many
// credentials under keys key-00000, key-00001, ...
func benchStores(b *testing.B) map[string]*sqlstore.Store {
	b.Helper()
	out := map[string]*sqlstore.Store{}
	cred, err := storetest.Credentials("at", expiry).MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range benchSizes {
		table := fmt.Sprintf("bench_%d_%d", n, tables.Add(1))
		s := openSQLite(b, filepath.Join(b.TempDir(), "bench.db"), &sqlstore.Options{Table: table})
		fill(b, s, table, "?1, ?2", n, cred)
		out[fmt.Sprintf("sqlite/n=%d", n)] = s
		p := openPostgres(b, postgresDSN(b), &sqlstore.Options{Table: table})
		fill(b, p, table, "$1, $2", n, cred)
		out[fmt.Sprintf("postgres/n=%d", n)] = p
	}
	return out
}

// fill inserts n rows in one transaction.
func fill(b *testing.B, s *sqlstore.Store, table, ph string, n int, cred []byte) {
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, fmt.Sprintf(`INSERT INTO %s ("key", credential) VALUES (%s)`, table, ph))
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		if _, err := stmt.ExecContext(ctx, fmt.Sprintf("key-%05d", i), string(cred)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

func benchNames() []string {
	var names []string
	for _, d := range []string{"sqlite", "postgres"} {
		for _, n := range benchSizes {
			names = append(names, fmt.Sprintf("%s/n=%d", d, n))
		}
	}
	return names
}

// BenchmarkLoad reads one credential from a table of 1, 100 and 10,000.
func BenchmarkLoad(b *testing.B) {
	stores := benchStores(b)
	for _, name := range benchNames() {
		s := stores[name]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.Load(ctx, "key-00000"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkUpdate runs a read-modify-write that stores new credentials,
// each a committed (and, by default, synced) transaction.
func BenchmarkUpdate(b *testing.B) {
	stores := benchStores(b)
	next := storetest.Credentials("new", expiry)
	for _, name := range benchNames() {
		s := stores[name]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				err := s.Update(ctx, "key-00000", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
					return next, nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
