package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/pgtest"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/sqlstore/postgres"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
	"github.com/oauth2client/oauth2client/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var (
	ctx    = context.Background()
	expiry = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
)

// tables numbers the tables tests make on a shared PostgreSQL database.
var tables atomic.Int32

func uniqueTable() string { return fmt.Sprintf("creds_%d", tables.Add(1)) }

// backend opens stores of one dialect for a test.
type backend struct {
	name string
	// open returns a store on a fresh table (Options.Table is set when
	// empty) of a database opened for the test.
	open func(t testing.TB, opts *sqlstore.Options) *sqlstore.Store
	// target returns what openAt needs to reach the same medium again.
	reopen func(t testing.TB, s *sqlstore.Store, opts *sqlstore.Options) *sqlstore.Store
}

// medium records where a store lives, to open it again.
var media sync.Map // *sqlstore.Store -> string (path or DSN)

func sqliteBackend() backend {
	return backend{
		name: "sqlite",
		open: func(t testing.TB, opts *sqlstore.Options) *sqlstore.Store {
			path := filepath.Join(t.TempDir(), "creds.db")
			return openSQLite(t, path, opts)
		},
		reopen: func(t testing.TB, s *sqlstore.Store, opts *sqlstore.Options) *sqlstore.Store {
			p, _ := media.Load(s)
			return openSQLite(t, p.(string), opts)
		},
	}
}

func openSQLite(t testing.TB, path string, opts *sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	media.Store(s, path)
	return s
}

// sharedDSN is one PostgreSQL database per test binary; tests use their
// own tables on it.
var (
	sharedMu  sync.Mutex
	sharedDSN string
)

func postgresDSN(t testing.TB) string {
	t.Helper()
	sharedMu.Lock()
	defer sharedMu.Unlock()
	if sharedDSN == "" {
		sharedDSN = pgtest.Start(t)
	}
	return sharedDSN
}

func postgresBackend() backend {
	return backend{
		name: "postgres",
		open: func(t testing.TB, opts *sqlstore.Options) *sqlstore.Store {
			dsn := postgresDSN(t)
			o := sqlstore.Options{}
			if opts != nil {
				o = *opts
			}
			if o.Table == "" {
				o.Table = uniqueTable()
			}
			return openPostgres(t, dsn, &o)
		},
		reopen: func(t testing.TB, s *sqlstore.Store, opts *sqlstore.Options) *sqlstore.Store {
			dsn, _ := media.Load(s)
			return openPostgres(t, dsn.(string), opts)
		},
	}
}

func openPostgres(t testing.TB, dsn string, opts *sqlstore.Options) *sqlstore.Store {
	t.Helper()
	s, err := postgres.Open(ctx, dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	media.Store(s, dsn)
	return s
}

func backends() []backend { return []backend{sqliteBackend(), postgresBackend()} }

func TestContract(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store { return b.open(t, nil) })
			storetest.CheckExtensions(t, b.open(t, nil))
			storetest.CheckDPoP(t, b.open(t, nil))
		})
	}
}

// TestTwoStoresOneMedium: stores opened separately on one database see
// each other's writes, and Update is atomic across them.
func TestTwoStoresOneMedium(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			table := uniqueTable()
			a := b.open(t, &sqlstore.Options{Table: table})
			c := b.reopen(t, a, &sqlstore.Options{Table: table})
			if err := a.Save(ctx, "n", storetest.Credentials("0", time.Time{})); err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			for _, s := range []*sqlstore.Store{a, c, a, c} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range 5 {
						if err := s.Update(ctx, "n", increment); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			got, err := c.Load(ctx, "n")
			if err != nil || got.Token.AccessToken != "20" {
				t.Fatalf("counter %v, %v; want 20", got.Token, err)
			}
		})
	}
}

func increment(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
	var n int
	if _, err := fmt.Sscan(cur.Token.AccessToken, &n); err != nil {
		return nil, err
	}
	return storetest.Credentials(fmt.Sprint(n+1), time.Time{}), nil
}

// TestVersionAndUpdatedAt: every write increments version and sets
// updated_at from Options.Now; a no-op Update writes nothing.
func TestVersionAndUpdatedAt(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			now := time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)
			table := uniqueTable()
			s := b.open(t, &sqlstore.Options{Table: table, Now: func() time.Time { return now }})
			steps := []struct {
				name string
				do   func() error
				want int
			}{
				{"update creates", func() error {
					return s.Update(ctx, "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
						return storetest.Credentials("a", time.Time{}), nil
					})
				}, 1},
				{"save replaces", func() error { return s.Save(ctx, "k", storetest.Credentials("b", time.Time{})) }, 2},
				{"update changes", func() error {
					return s.Update(ctx, "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
						return storetest.Credentials("c", time.Time{}), nil
					})
				}, 3},
				{"no-op update", func() error {
					return s.Update(ctx, "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) { return nil, nil })
				}, 3},
			}
			for _, st := range steps {
				if err := st.do(); err != nil {
					t.Fatalf("%s: %v", st.name, err)
				}
				var v int
				var ts any
				q := fmt.Sprintf(`SELECT version, updated_at FROM %s WHERE "key" = 'k'`, table)
				if err := s.DB().QueryRowContext(ctx, q).Scan(&v, &ts); err != nil {
					t.Fatal(err)
				}
				if v != st.want {
					t.Errorf("%s: version %d, want %d", st.name, v, st.want)
				}
				if !strings.Contains(fmt.Sprint(ts), "2031") {
					t.Errorf("%s: updated_at %v, want the injected time", st.name, ts)
				}
			}
		})
	}
}

// TestUpdateMissingKeyConcurrently: many Updates of a missing key run
// one after another, the first seeing nil.
func TestUpdateMissingKeyConcurrently(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t, nil)
			var nils atomic.Int32
			var wg sync.WaitGroup
			for range 8 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					err := s.Update(ctx, "new", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
						if cur == nil {
							nils.Add(1)
							return storetest.Credentials("0", time.Time{}), nil
						}
						return increment(cur)
					})
					if err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
			if n := nils.Load(); n != 1 {
				t.Errorf("%d Updates saw a missing entry, want 1", n)
			}
			got, err := s.Load(ctx, "new")
			if err != nil || got.Token.AccessToken != "7" {
				t.Errorf("final %v, %v; want 7", got.Token, err)
			}
		})
	}
}

// TestUpdateMissingKeyNoOp: an Update of a missing key that stores
// nothing leaves nothing behind (PostgreSQL's lock row is not committed).
func TestUpdateMissingKeyNoOp(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			s := b.open(t, nil)
			boom := errors.New("boom")
			for _, ret := range []error{nil, boom} {
				err := s.Update(ctx, "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) { return nil, ret })
				if !errors.Is(err, ret) || (ret == nil && err != nil) {
					t.Errorf("Update returned %v, want %v", err, ret)
				}
			}
			if keys, err := s.List(ctx); err != nil || len(keys) != 0 {
				t.Errorf("List = %q, %v; want none", keys, err)
			}
		})
	}
}

// TestContextEnded: operations honour their context, including an Update
// waiting for a lock another store holds.
func TestContextEnded(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			table := uniqueTable()
			s := b.open(t, &sqlstore.Options{Table: table})
			other := b.reopen(t, s, &sqlstore.Options{Table: table})
			if err := s.Save(ctx, "k", storetest.Credentials("a", time.Time{})); err != nil {
				t.Fatal(err)
			}
			canceled, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := s.Load(canceled, "k"); !errors.Is(err, context.Canceled) {
				t.Errorf("Load: %v, want context.Canceled", err)
			}
			if err := s.Save(canceled, "k", storetest.Credentials("b", time.Time{})); !errors.Is(err, context.Canceled) {
				t.Errorf("Save: %v, want context.Canceled", err)
			}

			// s holds the entry's lock until release; other's Update
			// waits for it until its context ends.
			locked, release := make(chan struct{}), make(chan struct{})
			done := make(chan error)
			go func() {
				done <- s.Update(ctx, "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
					close(locked)
					<-release
					return nil, nil
				})
			}()
			<-locked
			waitCtx, cancelWait := context.WithCancel(ctx)
			waitDone := make(chan error)
			go func() {
				waitDone <- other.Update(waitCtx, "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
					t.Error("fn ran while another store held the lock")
					return nil, nil
				})
			}()
			cancelWait()
			if err := <-waitDone; !errors.Is(err, context.Canceled) {
				t.Errorf("waiting Update: %v, want context.Canceled", err)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			// The lock is free again.
			if err := other.Update(ctx, "k", increment0); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func increment0(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
	return storetest.Credentials("z", time.Time{}), nil
}

// TestErrorsNameStoreAndKey: a corrupt row gives an error naming the
// store and key and quoting no credential value.
func TestErrorsNameStoreAndKey(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			table := uniqueTable()
			s := b.open(t, &sqlstore.Options{Table: table})
			bad := `{"access_token": "SECRET-AT", "client_secret": 12, "refresh_token": "SECRET-RT"}`
			if _, err := s.DB().ExecContext(ctx, fmt.Sprintf(`INSERT INTO %s ("key", credential) VALUES ('bad-key', '%s')`, table, bad)); err != nil {
				t.Fatal(err)
			}
			_, err := s.Load(ctx, "bad-key")
			if err == nil {
				t.Fatal("Load of a corrupt row succeeded")
			}
			msg := err.Error()
			if !strings.Contains(msg, `"bad-key"`) || !strings.Contains(msg, "sqlstore: "+b.name) || strings.Contains(msg, "SECRET") {
				t.Errorf("error %q: want the store and key named and no secret", msg)
			}
			err = s.Update(ctx, "bad-key", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
				t.Error("fn ran on a corrupt row")
				return nil, nil
			})
			if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), `"bad-key"`) {
				t.Errorf("Update error %v", err)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		open func() error
		want string
	}{
		{"sqlite missing folder", func() error {
			_, err := sqlite.Open(ctx, filepath.Join(dir, "no", "such", "db"), nil)
			return err
		}, "sqlite:" + filepath.Join(dir, "no", "such", "db")},
		{"sqlite empty path", func() error { _, err := sqlite.Open(ctx, "", nil); return err }, "empty path"},
		{"bad table", func() error {
			_, err := sqlite.Open(ctx, filepath.Join(dir, "db"), &sqlstore.Options{Table: `x"; DROP TABLE y`})
			return err
		}, "invalid Options.Table"},
		{"postgres wrong password", func() error {
			dsn := postgresDSN(t)
			i := strings.Index(dsn, "@")
			_, err := postgres.Open(ctx, "postgres://postgres:WRONG-PASSWORD"+dsn[i:], nil)
			return err
		}, "postgres://127.0.0.1:"},
		{"postgres bad dsn", func() error {
			_, err := postgres.Open(ctx, "postgres://u:WRONG-PASSWORD@127.0.0.1:notaport/db", nil)
			return err
		}, "sqlstore: postgres"},
		{"unknown dialect", func() error { _, err := sqlstore.New(ctx, nil, 0, nil); return err }, "unknown dialect"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.open()
			t.Log(err)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if strings.Contains(err.Error(), "WRONG-PASSWORD") {
				t.Errorf("error %q quotes the password", err)
			}
		})
	}
}

// TestNewWithOwnDB: New uses a caller's *sql.DB and leaves it open.
func TestNewWithOwnDB(t *testing.T) {
	cases := []struct {
		name    string
		driver  string
		dsn     func(t *testing.T) string
		dialect sqlstore.Dialect
	}{
		{"sqlite", "sqlite", func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "own.db") + "?_pragma=busy_timeout(10000)"
		}, sqlstore.SQLite},
		{"postgres", "pgx", postgresDSNT, sqlstore.Postgres},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db, err := sql.Open(c.driver, c.dsn(t))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			s, err := sqlstore.New(ctx, db, c.dialect, &sqlstore.Options{Table: uniqueTable(), Name: "mine"})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Update(ctx, "k", increment0); err != nil {
				t.Fatal(err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			if err := db.PingContext(ctx); err != nil {
				t.Errorf("db closed by Store.Close: %v", err)
			}
			_, err = s.Load(ctx, "missing-table-check")
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("Load: %v", err)
			}
		})
	}
}

// TestNewCloseDB: with Options.CloseDB, Store.Close closes the caller's
// database, as the stores sqlite.Open and postgres.Open return do.
func TestNewCloseDB(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "own.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, &sqlstore.Options{CloseDB: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err == nil {
		t.Error("db still open after Store.Close with CloseDB")
	}
}

func postgresDSNT(t *testing.T) string { return postgresDSN(t) }
