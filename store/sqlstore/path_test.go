package sqlstore_test

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestSQLiteRefusesSymlinks reproduces issue 7, Why §6: OpenSQLite followed
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
				s, err := sqlstore.OpenSQLite(ctx, db, nil)
				if err == nil {
					s.Close()
					t.Fatal("OpenSQLite succeeded")
				}
				if !errors.Is(err, sqlstore.ErrSymlink) || !strings.Contains(err.Error(), link) {
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
			_, err := sqlstore.OpenSQLite(ctx, db, nil)
			if !errors.Is(err, sqlstore.ErrReadable) || !strings.Contains(err.Error(), p) {
				t.Fatalf("error %v, want ErrReadable naming %s", err, p)
			}
			s, err = sqlstore.OpenSQLite(ctx, db, &sqlstore.Options{InsecureAllowReadableDatabase: true})
			if err != nil {
				t.Fatalf("with InsecureAllowReadableDatabase: %v", err)
			}
			s.Close()
		})
	}
}
