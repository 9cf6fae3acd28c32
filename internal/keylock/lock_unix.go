//go:build unix

package keylock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
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
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		// O_NOFOLLOW fails with ELOOP on Linux and macOS, other errors on
		// some BSDs: ask the file system what is there.
		if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
			return nil, fmt.Errorf("the lock file is a symbolic link: %w", ErrSymlink)
		}
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("the lock file is not a regular file")
	}
	if err != nil {
		f.Close()
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
