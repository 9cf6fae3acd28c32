package keylock

import (
	"context"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"sync"
	"time"

	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// ErrSymlink is wrapped by the error for a lock file that is a symbolic
// link: it is refused, never followed. It is safefile.ErrSymlink.
var ErrSymlink = safefile.ErrSymlink

// slotBits is the width of the lock file offsets keys hash to: distinct
// keys share a slot (and so wait for each other) with a chance of about
// one in 2^40 per pair.
const slotBits = 40

// Polling backoff while another process holds a slot.
const (
	firstRetry = 2 * time.Millisecond
	maxRetry   = 50 * time.Millisecond
)

// Locker hands out exclusive locks per key, held across goroutines of this
// process and across processes that use the same path.
//
// A Locker is safe for concurrent use. Lockers of one process for the same
// path share their state and one open descriptor of the lock file, which
// stays open for the life of the process.
type Locker struct {
	path string
	f    *lockFile
}

// lockFile is the state of this process for one lock file: the slots its
// goroutines hold or wait for, and the open file (opened on first use).
type lockFile struct {
	path string // absolute

	mu    sync.Mutex      // guards slots and fl
	slots map[int64]*slot // only slots held or waited for
	fl    *fileLock       // nil until opened
}

// slot excludes the goroutines of this process that lock keys hashing to
// one offset: whoever holds the token in ch holds the slot; refs counts
// its holder and waiters, so that an unused slot leaves the map.
type slot struct {
	ch   chan struct{}
	refs int
}

var (
	filesMu sync.Mutex
	files   = map[string]*lockFile{} // by absolute path; one per lock file used
)

// New returns a Locker whose cross-process locks live in the file at path
// (created on first use with mode 0600; a symlink is refused; the folder must exist).
func New(path string) *Locker {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	filesMu.Lock()
	defer filesMu.Unlock()
	f, ok := files[abs]
	if !ok {
		f = &lockFile{path: abs, slots: map[int64]*slot{}}
		files[abs] = f
	}
	return &Locker{path: path, f: f}
}

// Path returns the lock file's path.
func (l *Locker) Path() string { return l.path }

// Lock waits until it holds key's lock, or ctx is done (then it returns an error wrapping ctx.Err()
// that names the lock file). It returns the function that releases it (idempotent).
func (l *Locker) Lock(ctx context.Context, key string) (unlock func(), err error) {
	off := offset(key)
	fail := func(err error) error {
		return fmt.Errorf("keylock: waiting for the lock of key %q in %s: %w", urlpolicy.Clip(key, 80), l.path, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fail(err)
	}
	s := l.f.join(off)
	select {
	case s.ch <- struct{}{}:
	case <-ctx.Done():
		l.f.leave(off, s)
		return nil, fail(ctx.Err())
	}
	release := func() {
		<-s.ch
		l.f.leave(off, s)
	}
	fl, err := l.f.open()
	if err == nil {
		err = safefile.Poll(ctx, firstRetry, maxRetry, func() (bool, error) { return fl.tryLock(off) })
	}
	if err != nil {
		release()
		return nil, fail(err)
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			fl.unlock(off)
			release()
		})
	}, nil
}

// offset returns the byte of the lock file that stands for key: its
// FNV-64a hash modulo 2^slotBits.
func offset(key string) int64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return int64(h.Sum64() & (1<<slotBits - 1))
}

// join counts a holder or waiter of the slot at off and returns it.
func (f *lockFile) join(off int64) *slot {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.slots[off]
	if !ok {
		s = &slot{ch: make(chan struct{}, 1)}
		f.slots[off] = s
	}
	s.refs++
	return s
}

// leave uncounts a holder or waiter of s, dropping s when unused.
func (f *lockFile) leave(off int64, s *slot) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if s.refs--; s.refs == 0 {
		delete(f.slots, off)
	}
}

// open opens the lock file the first time it succeeds.
func (f *lockFile) open() (*fileLock, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fl == nil {
		fl, err := openFileLock(f.path)
		if err != nil {
			return nil, err
		}
		f.fl = fl
	}
	return f.fl, nil
}
