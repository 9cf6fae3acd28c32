package safefile

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// OpenNoFollow opens path as os.OpenFile does with flag and perm, adding
// [NoFollow]: a symbolic link at path, dangling or not, is refused with an
// error wrapping [ErrSymlink], and anything else but a regular file is
// refused too. With O_CREATE, the folder is checked first (see the package
// doc, "Folders"). what (such as "lock file") and path name the file in
// errors. Where [NoFollow] is 0 (Windows), a link is looked for before the
// open; a link planted in between is followed.
func OpenNoFollow(path, what string, flag int, perm fs.FileMode) (*os.File, error) {
	if flag&os.O_CREATE != 0 {
		if err := checkFolder(filepath.Dir(path)); err != nil {
			return nil, fmt.Errorf("%s %s: %w", what, path, err)
		}
	}
	if NoFollow == 0 {
		if _, err := Lstat(path, what); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(path, flag|NoFollow, perm)
	if err != nil {
		// O_NOFOLLOW fails with ELOOP on Linux and macOS, with other errors
		// on some BSDs, and O_EXCL with EEXIST: ask what is there.
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, symlinkError(path, what)
		}
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fmt.Errorf("%s %s is not a regular file (mode %v)", what, path, fi.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
