package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/oauth2client/oauth2client/internal/safefile"
)

// DefaultLockTimeout is how long an operation waits for the lock when
// Options.LockTimeout is zero.
const DefaultLockTimeout = 10 * time.Second

// lockRetry is how often a busy lock is tried again.
const lockRetry = 5 * time.Millisecond

// ErrLockTimeout is wrapped by the error an operation returns when it could
// not take the lock on PATH.lock within Options.LockTimeout.
var ErrLockTimeout = errors.New("timed out waiting for the lock")

// procLocks holds one in-process lock per lock file (by absolute path):
// POSIX record locks do not exclude each other within one process, and
// closing any descriptor of the lock file drops them all, so only one
// goroutine at a time may hold, or open, a lock file.
var (
	procLocksMu sync.Mutex
	procLocks   = map[string]chan struct{}{}
)

func procLock(path string) chan struct{} {
	procLocksMu.Lock()
	defer procLocksMu.Unlock()
	ch, ok := procLocks[path]
	if !ok {
		ch = make(chan struct{}, 1)
		procLocks[path] = ch
	}
	return ch
}

// lock takes the in-process lock, then flock(2) and a POSIX record lock
// (fcntl) on the lock file: exclusive for a read-modify-write, shared for a
// read. It returns the function that releases them all. An uncontended
// lock makes no timer and never waits on ctx (see waitBudget).
func (s *Store) lock(ctx context.Context, exclusive bool) (func(), error) {
	timeout := s.opts.LockTimeout
	if timeout <= 0 {
		timeout = DefaultLockTimeout
	}
	start := time.Now()
	budget := &waitBudget{parent: ctx, deadline: start.Add(timeout)}
	defer budget.release()
	fail := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("store/file: waiting for the lock on %s: %w", s.lockPath, ctx.Err())
		}
		if budget.expired() {
			return fmt.Errorf("store/file: %w on %s after %v (another process or goroutine holds it)", ErrLockTimeout, s.lockPath, timeout)
		}
		return fmt.Errorf("store/file: lock %s: %w", s.lockPath, err)
	}

	ch := procLock(s.lockPath)
	select {
	case ch <- struct{}{}:
	default:
		s.logger.DebugContext(ctx, "store/file: waiting for the lock another goroutine holds", "lock", s.lockPath, "exclusive", exclusive)
		lctx := budget.context()
		select {
		case ch <- struct{}{}:
		case <-lctx.Done():
			return nil, fail(lctx.Err())
		}
	}
	unlockProc := func() { <-ch }

	if exclusive {
		// A write creates the folder; a read of a missing file never
		// gets here (see readShared).
		if err := os.MkdirAll(filepath.Dir(s.lockPath), 0o700); err != nil {
			unlockProc()
			return nil, fail(err)
		}
	}

	// Our own descriptor for the record lock; it also creates the lock
	// file, refusing a symlink.
	f, err := safefile.OpenNoFollow(s.lockPath, "lock file", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		unlockProc()
		return nil, fmt.Errorf("store/file: %w", err)
	}
	fl := flock.New(s.lockPath, flock.SetFlag(os.O_CREATE|os.O_RDWR|safefile.NoFollow), flock.SetPermissions(0o600))
	try := fl.TryRLock
	if exclusive {
		try = fl.TryLock
	}
	ok, err := try()
	if err == nil && !ok {
		s.logger.DebugContext(ctx, "store/file: waiting for the lock another process holds", "lock", s.lockPath, "exclusive", exclusive)
		err = safefile.Poll(budget.context(), lockRetry, lockRetry, try)
	}
	if err != nil {
		f.Close()
		unlockProc()
		return nil, fail(err)
	}
	if err := budget.poll(recordTry(f, exclusive)); err != nil {
		fl.Unlock()
		f.Close()
		unlockProc()
		return nil, fail(err)
	}
	if waited := time.Since(start); waited >= time.Millisecond {
		s.logger.DebugContext(ctx, "store/file: took the lock", "lock", s.lockPath, "exclusive", exclusive, "waited", waited)
	}
	return func() {
		recordUnlock(f)
		f.Close()
		fl.Unlock()
		unlockProc()
	}, nil
}

// waitBudget is how long a lock may wait: its context, ending at
// deadline or with parent, is made on the first wait, so that an
// uncontended lock (the common case: one short read) makes no timer and
// never asks parent for its Done channel.
type waitBudget struct {
	parent   context.Context
	deadline time.Time
	ctx      context.Context // nil until the first wait
	cancel   context.CancelFunc
}

// context returns the budget's context, making it on first use.
func (b *waitBudget) context() context.Context {
	if b.ctx == nil {
		b.ctx, b.cancel = context.WithDeadline(b.parent, b.deadline)
	}
	return b.ctx
}

// expired reports whether a wait ran out of the budget.
func (b *waitBudget) expired() bool { return b.ctx != nil && b.ctx.Err() != nil }

// poll runs try once, then polls it within the budget while it reports
// busy.
func (b *waitBudget) poll(try func() (bool, error)) error {
	if ok, err := try(); ok || err != nil {
		return err
	}
	return safefile.Poll(b.context(), lockRetry, lockRetry, try)
}

// release stops the budget's timer, if one was made.
func (b *waitBudget) release() {
	if b.cancel != nil {
		b.cancel()
	}
}
