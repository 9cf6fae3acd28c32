package sqlite

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"

	"github.com/oauth2client/oauth2client/internal/safefile"
)

// ErrSymlink is wrapped by Open's error when the database path, or
// its -wal, -shm or -journal file, is a symbolic link (dangling or not):
// it is refused, never followed. It is the same value as file.ErrSymlink.
var ErrSymlink = safefile.ErrSymlink

// ErrReadable is wrapped by Open's error when an existing database,
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
//   - on Unix, the folder must be one no other user can change (not
//     writable by others without the sticky bit, owned by this user or
//     root; see internal/safefile): SQLite creates files in it;
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
		fi, err := safefile.Lstat(p, "database file")
		switch {
		case err != nil:
			return fmt.Errorf("sqlstore: %s: %w", name, err)
		case fi != nil && fi.Mode().Perm()&0o077 != 0 && !allowReadable && runtime.GOOS != "windows":
			return fmt.Errorf("sqlstore: %s: %s has mode %v, %w: chmod 600 it, or set Options.InsecureAllowReadableDatabase",
				name, p, fi.Mode().Perm(), ErrReadable)
		}
	}
	f, err := safefile.OpenNoFollow(abs, "database file", os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		return f.Close()
	case errors.Is(err, fs.ErrExist):
		return nil // checked above
	default:
		return fmt.Errorf("sqlstore: %s: creating the database file: %w", name, err)
	}
}
