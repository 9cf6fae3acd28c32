package keyring

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// Environment of a re-executed child (see TestHelperProcess).
const (
	envChildService = "OAUTH2CLIENT_KEYRING_TEST_SERVICE"
	envChildLock    = "OAUTH2CLIENT_KEYRING_TEST_LOCK"
	envChildCount   = "OAUTH2CLIENT_KEYRING_TEST_COUNT"
)

// TestHelperProcess is the body of child processes, not a test: the role
// in storetest.RoleEnv selects what it does.
//   - "increment": envChildCount Updates adding one to the key "n".
//   - "token": [storetest.TokenChild].
func TestHelperProcess(t *testing.T) {
	storetest.HelperProcess(map[string]func(context.Context) error{
		"increment": func(ctx context.Context) error {
			n, err := strconv.Atoi(os.Getenv(envChildCount))
			if err != nil {
				return err
			}
			s, err := openChild()
			if err != nil {
				return err
			}
			defer s.Close()
			if err := storetest.Ready(); err != nil {
				return err
			}
			for range n {
				if err := increment(ctx, s, "n"); err != nil {
					return err
				}
			}
			return nil
		},
		"token": func(ctx context.Context) error {
			return storetest.TokenChild(ctx, func(context.Context) (store.Store, error) { return openChild() })
		},
	})
}

// openChild opens the store the parent names in the environment.
func openChild() (*Store, error) {
	return New(os.Getenv(envChildService), &Options{LockPath: os.Getenv(envChildLock), ChunkSize: MinChunkSize})
}

func TestProcessesUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	// Small chunks: every write replaces several items, so an interleaved
	// write would show as a lost increment or a broken value.
	s := openStore(t, &Options{ChunkSize: MinChunkSize})
	if err := s.Save(ctx, "n", storetest.Credentials("0", expiry)); err != nil {
		t.Fatal(err)
	}
	const procs, each = 4, 8
	storetest.RunChildren(t, procs, "increment",
		envChildService+"="+s.service, envChildLock+"="+s.LockPath(), envChildCount+"="+strconv.Itoa(each))
	if got, want := loadAccess(t, s, "n"), strconv.Itoa(procs*each); got != want {
		t.Errorf("counter = %s after %d increments in %d processes", got, procs*each, procs)
	}
	if keys, err := s.List(ctx); err != nil || len(keys) != 1 || keys[0] != "n" {
		t.Errorf("List = %v, %v; want [n]", keys, err)
	}
}

func TestProcessesRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	s := openStore(t, nil)
	ts := storetest.NewTokenServer(t, true)
	if err := s.Save(ctx, "k", storetest.ExpiredCredentials(ts.URL)); err != nil {
		t.Fatal(err)
	}
	outs := storetest.RunChildren(t, 4, "token", envChildService+"="+s.service, envChildLock+"="+s.LockPath())
	storetest.CheckRefreshedOnce(t, ts, s, "k", outs...)
}
