package keyring

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestReadsCreateNothing: Load and List on a store whose lock folder does
// not exist yet create neither the folder nor the lock file; a write does,
// and reads then take the lock as before.
func TestReadsCreateNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "not-yet")
	s := openStore(t, &Options{LockPath: filepath.Join(dir, "keyring.lock")})
	ctx := context.Background()

	if _, err := s.Load(ctx, "alice"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Load of a missing key: %v", err)
	}
	if keys, err := s.List(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("List = %v, %v", keys, err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("reads created the lock folder %s (%v)", dir, err)
	}

	want := storetest.Credentials("at-1", expiry)
	if err := s.Save(ctx, "alice", want); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.LockPath()); err != nil {
		t.Fatalf("a write left no lock file: %v", err)
	}
	got, err := s.Load(ctx, "alice")
	if err != nil || got.Token.AccessToken != "at-1" {
		t.Fatalf("Load after Save = %v, %v", got, err)
	}
}
