package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestReadExistingCreatesNoLockFile reproduces issue 12, Messages §7:
// reading an existing file that has no PATH.lock yet (written by Python's
// file.Storage, or copied in) created PATH.lock. OpenAuto, Load, List and
// Format now leave the folder as it was, for both kinds of file.
func TestReadExistingCreatesNoLockFile(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, single := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "credentials.json")
		open := Open
		if single {
			open = OpenSingle
		}
		if err := must(open(path, nil)).Save(ctx, "k", storetest.Credentials("at", time.Time{})); err != nil {
			t.Fatal(err)
		}
		for _, side := range []string{".lock", ".refresh.lock"} {
			if err := os.Remove(path + side); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Fatal(err)
			}
		}
		before, _ := os.ReadDir(dir)
		s, err := OpenAuto(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := s.Load(ctx, "k"); err != nil || c.Token == nil || c.Token.AccessToken != "at" {
			t.Errorf("single %t: Load = %v, %v; want the stored credentials", single, c, err)
		}
		if keys, err := s.List(ctx); err != nil || len(keys) != 1 {
			t.Errorf("single %t: List = %q, %v; want one key", single, keys, err)
		}
		if _, err := s.Format(ctx); err != nil {
			t.Error(err)
		}
		after, _ := os.ReadDir(dir)
		if len(after) != len(before) {
			t.Errorf("single %t: reads changed %s from %v to %v", single, dir, before, after)
		}
	}
}

// TestReadRetriesUnderLockWhenLockAppears: when PATH.lock appears while an
// existing file is read without it (a writer began), the file is read
// again, under the shared lock, which a writer's exclusive lock excludes.
func TestReadRetriesUnderLockWhenLockAppears(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "credentials.json")
	s := must(Open(path, nil))
	if err := s.Save(ctx, "k", storetest.Credentials("at", time.Time{})); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path + ".lock"); err != nil {
		t.Fatal(err)
	}
	calls := 0
	_, err := s.readShared(ctx, func() (*doc, error) {
		calls++
		if calls == 1 {
			// A writer appears: it creates the lock file.
			f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
			if err != nil {
				return nil, err
			}
			f.Close()
			return nil, errors.New("torn read")
		}
		// Under the shared lock now: no exclusive lock can be had.
		other := must(Open(path, &Options{LockTimeout: time.Millisecond}))
		if _, err := other.lock(ctx, true); !errors.Is(err, ErrLockTimeout) {
			t.Errorf("exclusive lock during the second read: %v, want ErrLockTimeout", err)
		}
		return s.read()
	})
	if err != nil || calls != 2 {
		t.Errorf("readShared: %v after %d reads; want success after 2", err, calls)
	}
}
