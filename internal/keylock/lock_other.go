//go:build !unix

package keylock

import (
	"os"
	"sync"

	"github.com/gofrs/flock"

	"github.com/oauth2client/oauth2client/internal/safefile"
)

// fileLock is the fallback where fcntl byte-range locks do not exist
// (Windows and others): one whole-file lock (LockFileEx on Windows) held
// while any goroutine of this process holds any key. Keys of one process
// still exclude each other only per key, but across processes all keys of
// the file share one lock.
type fileLock struct {
	fl *flock.Flock

	mu    sync.Mutex // guards holds
	holds int        // slots held by this process
}

// openFileLock prepares the whole-file lock at path, refusing a symbolic
// link and a folder other users could change; the file is created with
// mode 0600 on first lock.
func openFileLock(path string) (*fileLock, error) {
	f, err := safefile.OpenNoFollow(path, "lock file", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	f.Close()
	return &fileLock{fl: flock.New(path, flock.SetPermissions(0o600))}, nil
}

// tryLock takes the whole-file lock unless this process holds it already.
func (l *fileLock) tryLock(int64) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holds == 0 {
		ok, err := l.fl.TryLock()
		if err != nil || !ok {
			return false, err
		}
	}
	l.holds++
	return true, nil
}

// unlock releases the whole-file lock with the last slot held.
func (l *fileLock) unlock(int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.holds--; l.holds == 0 {
		_ = l.fl.Unlock()
	}
}
