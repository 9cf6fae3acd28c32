package keylock_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/keylock"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// The cross-process tests re-run this test binary as a child in a role
// (see storetest.HelperProcess), with envPath naming the lock file and
// envCounter the counter file.
const (
	envPath    = "KEYLOCK_PATH"
	envCounter = "KEYLOCK_COUNTER"
	increments = 50
)

// TestHelperProcess is the child's body; it does nothing in a normal run.
func TestHelperProcess(t *testing.T) {
	storetest.HelperProcess(map[string]func(context.Context) error{
		// Hold key "A", say so, and wait to be killed.
		"hold": func(ctx context.Context) error {
			if _, err := keylock.New(os.Getenv(envPath)).Lock(ctx, "A"); err != nil {
				return err
			}
			fmt.Println("locked")
			io.Copy(io.Discard, os.Stdin)
			return errors.New("not killed")
		},
		// Increment the counter file, under key "counter", increments times.
		"count": func(ctx context.Context) error {
			l := keylock.New(os.Getenv(envPath))
			if err := storetest.Ready(); err != nil {
				return err
			}
			for range increments {
				if err := increment(ctx, l, os.Getenv(envCounter)); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

// increment adds one to the number in the file at path, under the lock of
// key "counter"; without it, concurrent increments get lost.
func increment(ctx context.Context, l *keylock.Locker, path string) error {
	unlock, err := l.Lock(ctx, "counter")
	if err != nil {
		return err
	}
	defer unlock()
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return fmt.Errorf("counter file holds %q", data)
	}
	return os.WriteFile(path, []byte(strconv.Itoa(n+1)), 0o600)
}

// TestProcessHolds: a key held by another process cannot be taken; other
// keys can; once the holder is SIGKILLed its key is free (no stale lock).
func TestProcessHolds(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "creds.keylock")
	child := storetest.Command("hold", envPath+"="+path)
	child.Stderr = os.Stderr
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	defer func() {
		if !killed {
			child.Process.Kill()
			child.Wait()
		}
	}()
	if line, err := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		t.Fatalf("child said %q (%v)", line, err)
	}

	l := keylock.New(path)
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if unlock, err := l.Lock(ctx, "A"); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), path) {
		if err == nil {
			unlock()
		}
		t.Errorf("locking the key another process holds: %v, want an error wrapping context.DeadlineExceeded naming %s", err, path)
	}
	mustLock(t, l, "B")()

	if err := child.Process.Kill(); err != nil { // SIGKILL on Unix
		t.Fatal(err)
	}
	child.Wait()
	killed = true
	mustLock(t, l, "A")()
}

// TestProcessesCount: processes incrementing one counter file under one
// key lose no increment.
func TestProcessesCount(t *testing.T) {
	t.Parallel()
	const processes = 8
	dir := t.TempDir()
	counter := filepath.Join(dir, "counter")
	if err := os.WriteFile(counter, []byte("0"), 0o600); err != nil {
		t.Fatal(err)
	}
	storetest.RunChildren(t, processes, "count",
		envPath+"="+filepath.Join(dir, "counter.keylock"), envCounter+"="+counter)
	data, err := os.ReadFile(counter)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(string(data))
	if err != nil {
		t.Fatalf("counter file holds %q", data)
	}
	lost := processes*increments - n
	t.Logf("reliability: keylock %d processes × %d increments: %d lost", processes, increments, lost)
	if lost != 0 {
		t.Errorf("%d of %d increments lost", lost, processes*increments)
	}
}
