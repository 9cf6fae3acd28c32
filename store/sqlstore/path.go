package sqlstore

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
)

// ErrSymlink is wrapped by OpenSQLite's error when the database path, or
// its -wal, -shm or -journal file, is a symbolic link (dangling or not):
// it is refused, never followed.
var ErrSymlink = errors.New("symbolic links are refused")

// ErrReadable is wrapped by OpenSQLite's error when an existing database,
// or its -wal, -shm or -journal file, may be read by users other than its
// owner (group or other permission bits set); see
// Options.InsecureAllowReadableDatabase.
var ErrReadable = errors.New("readable by other users")

// sqliteFiles are the suffixes of the files SQLite keeps at a database's
// path: the database itself, its write-ahead log and shared-memory index,
// and its rollback journal.
var sqliteFiles = []string{"", "-wal", "-shm", "-journal"}

// prepareSQLitePath checks the files of the SQLite database at the absolute
// path abs and creates the database when it is missing, before the driver
// opens it:
//
//   - none of abs, abs-wal, abs-shm and abs-journal may be a symbolic link
//     (only the last element is checked: folders on the way, such as /tmp
//     on macOS, may be links);
//   - a missing database is created empty with O_CREATE|O_EXCL|O_NOFOLLOW
//     and mode 0600; SQLite gives the -wal, -shm and -journal files it
//     creates the database's mode;
//   - an existing database, -wal, -shm or -journal file whose group or
//     other permission bits are set is refused unless allowReadable.
//
// name describes the store in errors.
func prepareSQLitePath(abs, name string, allowReadable bool) error {
	for _, suffix := range sqliteFiles {
		p := abs + suffix
		fi, err := os.Lstat(p)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			continue
		case err != nil:
			return fmt.Errorf("sqlstore: %s: %w", name, err)
		case fi.Mode()&fs.ModeSymlink != 0:
			return fmt.Errorf("sqlstore: %s: %s is a symbolic link: %w", name, p, ErrSymlink)
		case !fi.Mode().IsRegular():
			return fmt.Errorf("sqlstore: %s: %s is not a regular file", name, p)
		case fi.Mode().Perm()&0o077 != 0 && !allowReadable && runtime.GOOS != "windows":
			return fmt.Errorf("sqlstore: %s: %s has mode %v, %w: chmod 600 it, or set Options.InsecureAllowReadableDatabase",
				name, p, fi.Mode().Perm(), ErrReadable)
		}
	}
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE|os.O_EXCL|oNoFollow, 0o600)
	switch {
	case err == nil:
		return f.Close()
	case errors.Is(err, fs.ErrExist):
		return nil // checked above
	default:
		return fmt.Errorf("sqlstore: %s: creating the database file: %w", name, err)
	}
}
