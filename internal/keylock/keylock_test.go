package keylock_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/keylock"
)

// long bounds the waits that must not happen: a lock that should be free
// at once fails the test after this long instead of hanging it.
const long = time.Minute

// newLocker returns a Locker on a fresh lock file.
func newLocker(t *testing.T) *keylock.Locker {
	t.Helper()
	return keylock.New(filepath.Join(t.TempDir(), "creds.keylock"))
}

// mustLock takes key's lock, failing the test if it is not free within long.
func mustLock(t *testing.T, l *keylock.Locker, key string) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), long)
	defer cancel()
	unlock, err := l.Lock(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	return unlock
}

// TestSameKeyExcludes: goroutines locking one key are never inside
// together and lose no increment, whether they share a Locker, each make
// their own, or (Linux) reach the file by two paths, which gives them two
// open file descriptions whose locks exclude each other like processes'.
func TestSameKeyExcludes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		lockers func(path, alias string) func(g int) *keylock.Locker
	}{
		{"one Locker", func(path, _ string) func(int) *keylock.Locker {
			l := keylock.New(path)
			return func(int) *keylock.Locker { return l }
		}},
		{"a Locker each", func(path, _ string) func(int) *keylock.Locker {
			return func(int) *keylock.Locker { return keylock.New(path) }
		}},
		{"two paths to one file", func(path, alias string) func(int) *keylock.Locker {
			if runtime.GOOS != "linux" {
				t.Skip("only open-file-description locks exclude within a process")
			}
			ls := []*keylock.Locker{keylock.New(path), keylock.New(alias)}
			return func(g int) *keylock.Locker { return ls[g%2] }
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			alias := filepath.Join(t.TempDir(), "alias")
			if err := os.Symlink(dir, alias); err != nil {
				t.Skip("no symbolic links here:", err)
			}
			locker := tc.lockers(filepath.Join(dir, "creds.keylock"), filepath.Join(alias, "creds.keylock"))
			const goroutines, increments = 8, 100
			var inside, most atomic.Int32
			n := 0 // guarded by the key's lock only: the race detector watches
			var wg sync.WaitGroup
			for g := range goroutines {
				l := locker(g)
				wg.Go(func() {
					for range increments {
						unlock, err := l.Lock(t.Context(), "k")
						if err != nil {
							t.Error(err)
							return
						}
						in := inside.Add(1)
						if in > most.Load() {
							most.Store(in)
						}
						n++
						inside.Add(-1)
						unlock()
					}
				})
			}
			wg.Wait()
			if n != goroutines*increments || most.Load() != 1 {
				t.Errorf("%d increments, at most %d goroutines inside; want %d and 1", n, most.Load(), goroutines*increments)
			}
		})
	}
}

// TestOtherKeyFree: while a key is held, another key is taken at once.
func TestOtherKeyFree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, held, other string }{
		{"short keys", "a", "b"},
		{"client ids", "client-1.apps.example.com", "client-2.apps.example.com"},
		{"prefix", "user", "user@example.com"},
		{"empty key", "", " "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLocker(t)
			unlockHeld := mustLock(t, l, tc.held)
			defer unlockHeld()
			mustLock(t, keylock.New(l.Path()), tc.other)()
			mustLock(t, l, tc.other)()
		})
	}
}

// doneWatch is a context that says when someone first waits on Done.
type doneWatch struct {
	context.Context
	once    sync.Once
	waiting chan struct{}
}

func (c *doneWatch) Done() <-chan struct{} {
	c.once.Do(func() { close(c.waiting) })
	return c.Context.Done()
}

// TestCancelWhileWaiting: a waiter whose context ends leaves with an
// error that wraps the context's and names the lock file; the key, when
// long, is clipped.
func TestCancelWhileWaiting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		key     string
		timeout time.Duration // 0: canceled once waiting
		want    error
	}{
		{"canceled", "k", 0, context.Canceled},
		{"deadline", "k", 20 * time.Millisecond, context.DeadlineExceeded},
		{"long key", strings.Repeat("x", 100) + "tail", 0, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := newLocker(t)
			defer mustLock(t, l, tc.key)()
			ctx, cancel := context.WithCancel(context.Background())
			if tc.timeout > 0 {
				ctx, cancel = context.WithTimeout(context.Background(), tc.timeout)
			}
			defer cancel()
			w := &doneWatch{Context: ctx, waiting: make(chan struct{})}
			if tc.timeout == 0 {
				go func() {
					<-w.waiting
					cancel()
				}()
			}
			unlock, err := l.Lock(w, tc.key)
			if err == nil {
				unlock()
				t.Fatal("Lock took a held key")
			}
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), l.Path()) {
				t.Errorf("error %q: want one wrapping %v naming %s", err, tc.want, l.Path())
			}
			if strings.Contains(err.Error(), "tail") {
				t.Errorf("error %q quotes the whole key", err)
			}
		})
	}
}

// TestDoneBeforeLock: a context already done takes no lock, even a free one.
func TestDoneBeforeLock(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newLocker(t).Lock(ctx, "k"); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a canceled context: %v, want context.Canceled", err)
	}
}

// TestUnlockIdempotent: a second call of an unlock function releases
// nothing that was locked after the first.
func TestUnlockIdempotent(t *testing.T) {
	t.Parallel()
	l := newLocker(t)
	first := mustLock(t, l, "k")
	first()
	second := mustLock(t, l, "k")
	defer second()
	first()
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if unlock, err := l.Lock(ctx, "k"); !errors.Is(err, context.DeadlineExceeded) {
		if err == nil {
			unlock()
		}
		t.Errorf("after a repeated unlock, the held key could be locked again (%v)", err)
	}
}

// TestLockFile: the lock file is created 0600; a symbolic link, dangling
// or not, is refused and its target left alone; a missing folder fails.
func TestLockFile(t *testing.T) {
	t.Parallel()
	t.Run("created 0600", func(t *testing.T) {
		t.Parallel()
		l := newLocker(t)
		if _, err := os.Lstat(l.Path()); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("New created the lock file before first use (%v)", err)
		}
		mustLock(t, l, "k")()
		fi, err := os.Lstat(l.Path())
		if err != nil {
			t.Fatal(err)
		}
		if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
			t.Errorf("lock file mode %v, want a regular file with -rw-------", fi.Mode())
		}
	})
	for _, tc := range []struct {
		name   string
		target bool
	}{
		{"symlink", true},
		{"dangling symlink", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			target := filepath.Join(dir, "target")
			if tc.target {
				if err := os.WriteFile(target, []byte("keep"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			path := filepath.Join(dir, "creds.keylock")
			if err := os.Symlink(target, path); err != nil {
				t.Skip("no symbolic links here:", err)
			}
			unlock, err := keylock.New(path).Lock(t.Context(), "k")
			if err == nil {
				unlock()
				t.Fatal("Lock followed a symbolic link")
			}
			if !errors.Is(err, keylock.ErrSymlink) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %q: want one wrapping ErrSymlink naming %s", err, path)
			}
			data, err := os.ReadFile(target)
			if tc.target && (err != nil || string(data) != "keep") {
				t.Errorf("target now holds %q (%v)", data, err)
			}
			if !tc.target && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the dangling link's target was created (%v)", err)
			}
		})
	}
	t.Run("missing folder", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "missing", "creds.keylock")
		if _, err := keylock.New(path).Lock(t.Context(), "k"); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Lock in a missing folder: %v, want os.ErrNotExist", err)
		}
	})
}
