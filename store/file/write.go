package file

import (
	"errors"
	"fmt"
	"os"

	"github.com/oauth2client/oauth2client/internal/safefile"
)

// ErrSymlink is wrapped by the error for a credentials file or lock file
// that is a symbolic link: it is refused, never followed. It is the same
// value as sqlite.ErrSymlink (package store/sqlstore/sqlite).
var ErrSymlink = safefile.ErrSymlink

// ErrCorrupt is wrapped by the error for a file that cannot be read as any
// known format; such a file is never overwritten.
var ErrCorrupt = errors.New("corrupt credentials file")

// MaxFileSize bounds the size of a credentials file this package reads.
const MaxFileSize = 256 << 20

// checkPath refuses a symbolic link, or anything but a regular file, at
// path; what names it in the error.
func checkPath(path, what string) error {
	if _, err := safefile.Lstat(path, what); err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	return nil
}

// readFile reads path, not following a symbolic link; a missing file reads
// as nil.
func readFile(path string) ([]byte, error) {
	b, err := safefile.ReadNoFollow(path, "credentials file", MaxFileSize)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	return b, nil
}

// writeFile replaces path with data (mode 0600) crash-safely, as
// safefile.ReplaceFile does, first removing the temp files of writers
// that crashed: temp files are made only under the exclusive lock, which
// the caller holds. hook, when set by tests, runs at each step.
func writeFile(path string, data []byte, hook safefile.Hook) error {
	safefile.RemoveStaleTemps(path)
	if err := safefile.ReplaceFile(path, data, 0o600, hook); err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	return nil
}

// removeFile deletes path and fsyncs its folder.
func removeFile(path string) error {
	if err := safefile.RemoveFile(path); err != nil {
		return fmt.Errorf("store/file: %w", err)
	}
	return nil
}
