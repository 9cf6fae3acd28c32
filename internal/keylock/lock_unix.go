//go:build unix

package keylock

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/oauth2client/oauth2client/internal/safefile"
)

// fileLock takes byte-range locks (fcntl) on one open descriptor of the
// lock file: one byte per slot, at the slot's offset, far past the end of
// the (empty) file. The locks go away when unlocked or when the process
// ends, however it ends.
type fileLock struct {
	f *os.File
}

// openFileLock opens the lock file at path, creating it with mode 0600,
// refusing a symbolic link or anything but a regular file.
func openFileLock(path string) (*fileLock, error) {
	f, err := safefile.OpenNoFollow(path, "lock file", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	return &fileLock{f: f}, nil
}

// tryLock takes the write lock on the byte at off if no other process
// (Linux: no other open file description) holds it.
func (l *fileLock) tryLock(off int64) (bool, error) {
	err := l.fcntl(unix.F_WRLCK, off)
	if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EACCES) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("fcntl lock: %w", err)
	}
	return true, nil
}

// unlock releases the byte at off.
func (l *fileLock) unlock(off int64) {
	_ = l.fcntl(unix.F_UNLCK, off)
}

func (l *fileLock) fcntl(typ int16, off int64) error {
	lk := unix.Flock_t{Type: typ, Whence: 0, Start: off, Len: 1}
	return unix.FcntlFlock(l.f.Fd(), setLock, &lk)
}
