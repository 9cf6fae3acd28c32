//go:build unix

package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkFolder refuses a folder that users other than its owner may write
// without the sticky bit, or one owned by neither this process's user nor
// root. A group-writable folder passes when its group is this process's
// own primary group: the user private groups of most Linux systems, whose
// umask 002 makes users' folders 0775. A folder that cannot be examined
// passes: creating the file in it then fails with an error that says why.
func checkFolder(dir string) error {
	fi, err := os.Stat(dir) // folders may be links (/tmp on macOS)
	if err != nil || !fi.IsDir() {
		return nil
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	writable := fs.FileMode(0o002)
	if int(st.Gid) != os.Getegid() {
		writable |= 0o020
	}
	if mode := fi.Mode(); mode.Perm()&writable != 0 && mode&fs.ModeSticky == 0 {
		return fmt.Errorf("folder %s has mode %v, writable by other users without the sticky bit: %w", dir, mode, ErrUnsafeFolder)
	}
	if uid := int(st.Uid); uid != 0 && uid != os.Geteuid() {
		return fmt.Errorf("folder %s is owned by user %d, neither this user (%d) nor root: %w", dir, uid, os.Geteuid(), ErrUnsafeFolder)
	}
	return nil
}

// syncFolder fsyncs the folder dir, so that a rename or removal in it
// survives a crash.
func syncFolder(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("fsync folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("fsync folder %s: %w", dir, err)
	}
	return nil
}
