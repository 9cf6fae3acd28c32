package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// ErrSymlink is wrapped by the error for a file that is a symbolic link
// (dangling or not) where this package was asked to read, create, open or
// replace a file: it is refused, never followed.
var ErrSymlink = errors.New("symbolic links are refused")

// Lstat examines path without following a symbolic link there. It returns
// nil, nil when nothing is at path, and the file's FileInfo when it is a
// regular file. Otherwise it returns an error naming what (such as "lock
// file") and path: one wrapping [ErrSymlink] for a symbolic link, dangling
// or not; one for anything else but a regular file (a folder, a pipe); or
// the error of os.Lstat.
func Lstat(path, what string) (fs.FileInfo, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("%s: %w", what, err)
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, symlinkError(path, what)
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s %s is not a regular file (mode %v)", what, path, fi.Mode())
	}
	return fi, nil
}

// symlinkError is the error for a symbolic link at path.
func symlinkError(path, what string) error {
	return fmt.Errorf("%s %s is a symbolic link: %w", what, path, ErrSymlink)
}
