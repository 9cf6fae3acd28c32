package sqlite_test

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestSQLiteRefusesSymlinks reproduces issue 7, Why §6: sqlstore.OpenSQLite (now sqlite.Open) followed
// a symbolic link at the database path (or a dangling one, creating its
// target 0644). The database and the files SQLite keeps beside it are
// refused when they are links, whether their target exists or not.
func TestSQLiteRefusesSymlinks(t *testing.T) {
	t.Parallel()
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		for _, dangling := range []bool{false, true} {
			name := "db" + suffix
			if dangling {
				name += " dangling"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir := t.TempDir()
				db := filepath.Join(dir, "creds.db")
				target := filepath.Join(dir, "target")
				if !dangling {
					if err := os.WriteFile(target, []byte("precious"), 0o644); err != nil {
						t.Fatal(err)
					}
					os.Chmod(target, 0o644)
				}
				link := db + suffix
				if err := os.Symlink(target, link); err != nil {
					t.Fatal(err)
				}
				s, err := sqlite.Open(ctx, db, nil)
				if err == nil {
					s.Close()
					t.Fatal("Open succeeded")
				}
				if !errors.Is(err, sqlite.ErrSymlink) || !strings.Contains(err.Error(), link) {
					t.Errorf("error %v, want ErrSymlink naming %s", err, link)
				}
				fi, statErr := os.Stat(target)
				switch {
				case dangling && statErr == nil:
					t.Errorf("the dangling link's target was created (mode %v)", fi.Mode())
				case !dangling:
					b, _ := os.ReadFile(target)
					if string(b) != "precious" || fi.Mode().Perm() != 0o644 {
						t.Errorf("target changed: %q, mode %v", b, fi.Mode().Perm())
					}
				}
			})
		}
	}
}

// TestSQLiteReadableDatabase: an existing database (or -wal, -shm file)
// that other users may read is refused unless the caller insists.
func TestSQLiteReadableDatabase(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits")
	}
	t.Parallel()
	for _, tc := range []struct {
		suffix string
		mode   os.FileMode
	}{
		{"", 0o644}, {"", 0o640}, {"", 0o604}, {"-wal", 0o644}, {"-shm", 0o660},
	} {
		t.Run(tc.suffix+" "+tc.mode.String(), func(t *testing.T) {
			t.Parallel()
			db := filepath.Join(t.TempDir(), "creds.db")
			s := openSQLite(t, db, nil)
			if err := s.Save(ctx, "k", storetest.Credentials("a", time.Time{})); err != nil {
				t.Fatal(err)
			}
			s.Close()
			p := db + tc.suffix
			if err := os.WriteFile(p, nil, 0o600); tc.suffix != "" && err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := sqlite.Open(ctx, db, nil)
			if !errors.Is(err, sqlite.ErrReadable) || !strings.Contains(err.Error(), p) {
				t.Fatalf("error %v, want ErrReadable naming %s", err, p)
			}
			s, err = sqlite.Open(ctx, db, &sqlstore.Options{InsecureAllowReadableDatabase: true})
			if err != nil {
				t.Fatalf("with InsecureAllowReadableDatabase: %v", err)
			}
			s.Close()
		})
	}
}

// TestSQLiteFileModes: the database and its -wal and -shm files are 0600.
func TestSQLiteFileModes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "creds.db")
	s := openSQLite(t, path, nil)
	if err := s.Save(ctx, "k", storetest.Credentials("a", time.Time{})); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if m := fi.Mode().Perm(); m != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(p), m)
		}
	}
	var mode string
	if err := s.DB().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q, %v; want wal", mode, err)
	}
}

// rollbackDatabase returns the path of a store's database left in the
// rollback journal mode (DELETE), as the sqlite3 shell may leave it.
func rollbackDatabase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "creds.db")
	s := openSQLite(t, path, nil)
	var mode string
	if err := s.DB().QueryRowContext(ctx, "PRAGMA journal_mode=DELETE").Scan(&mode); err != nil || mode != "delete" {
		t.Fatalf("PRAGMA journal_mode=DELETE: %q, %v", mode, err)
	}
	s.Close()
	return path
}

// TestSQLiteWALOnceForAll: a database left in another journal mode (as
// the sqlite3 shell may leave it) is put back in WAL mode when opened, and
// every pooled connection uses WAL, though only the open sets it.
func TestSQLiteWALOnceForAll(t *testing.T) {
	path := rollbackDatabase(t)
	var s *sqlstore.Store
	var mode string

	s = openSQLite(t, path, nil)
	conns := make([]*sql.Conn, 3) // distinct connections, held at once
	for i := range conns {
		c, err := s.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns[i] = c
	}
	for i, c := range conns {
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("connection %d: journal_mode %q, %v; want wal", i, mode, err)
		}
	}
	if err := s.Save(ctx, "k", storetest.Credentials("a", time.Time{})); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no -wal file after a write: %v", err)
	}
}

// TestSQLiteOddPath: a path with URI-special characters is a path.
func TestSQLiteOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir?x=1#y%20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "c?d.db")
	s := openSQLite(t, path, nil)
	if err := s.Save(ctx, "k", storetest.Credentials("a", time.Time{})); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not at its path: %v", err)
	}
}

// TestOpenWaitsToSwitchToWAL: switching a database to WAL mode needs its
// write lock, which SQLite does not wait for by itself; Open waits for a
// writer holding it (up to the busy timeout), as every other operation
// does, instead of failing with SQLITE_BUSY.
func TestOpenWaitsToSwitchToWAL(t *testing.T) {
	path := rollbackDatabase(t)
	var s *sqlstore.Store
	var mode string

	// Another connection writes: it holds the write lock until released.
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	writer, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	if _, err := writer.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	released := make(chan error, 1)
	go func() {
		time.Sleep(300 * time.Millisecond)
		_, err := writer.ExecContext(ctx, "COMMIT")
		released <- err
	}()

	s, err = sqlite.Open(ctx, path, &sqlstore.Options{BusyTimeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("Open while another connection writes: %v", err)
	}
	defer s.Close()
	if err := <-released; err != nil {
		t.Fatal(err)
	}
	if err := s.DB().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode %q, %v; want wal", mode, err)
	}
}

// TestConcurrentOpensOfNewDatabase: goroutines opening the same new
// database at once all succeed, though only one can switch it to WAL mode
// at a time.
func TestConcurrentOpensOfNewDatabase(t *testing.T) {
	const rounds, openers = 20, 8
	for r := range rounds {
		path := filepath.Join(t.TempDir(), fmt.Sprintf("new-%d.db", r))
		var wg sync.WaitGroup
		errs := make(chan error, openers)
		for range openers {
			wg.Go(func() {
				s, err := sqlite.Open(ctx, path, &sqlstore.Options{BusyTimeout: 20 * time.Second})
				if err == nil {
					err = s.Save(ctx, "k", storetest.Credentials("a", time.Time{}))
					s.Close()
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("round %d: %v", r, err)
			}
		}
	}
}
