//go:build unix

package file

import (
	"errors"
	"os"
	"syscall"
)

// recordTry returns a function that tries once to take a POSIX record
// lock on the whole of f, as Python's fcntl.lockf (used by fasteners, and
// so by oauth2client's multiprocess storage) does: true when taken, false
// when another process holds a conflicting one.
func recordTry(f *os.File, exclusive bool) func() (bool, error) {
	lk := syscall.Flock_t{Type: syscall.F_RDLCK, Whence: 0, Start: 0, Len: 0}
	if exclusive {
		lk.Type = syscall.F_WRLCK
	}
	return func() (bool, error) {
		err := syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EACCES) {
			return false, nil
		}
		return err == nil, err
	}
}

func recordUnlock(f *os.File) {
	lk := syscall.Flock_t{Type: syscall.F_UNLCK}
	_ = syscall.FcntlFlock(f.Fd(), syscall.F_SETLK, &lk)
}
