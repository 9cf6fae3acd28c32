package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/oauth2client/oauth2client"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store"
)

// checkLockRefresh checks that the refresh lock of a key excludes a second
// holder of that key, until released, but not a holder of another key nor
// the other operations on the key; and that waiting honours the context.
// In a single-entry store every key is the same entry.
func checkLockRefresh(t *testing.T, s store.Store, single bool) {
	ctx := context.Background()
	unlock, err := s.LockRefresh(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !single { // another key is free
		unlockB, err := s.LockRefresh(ctx, "b")
		if err != nil {
			t.Fatalf("LockRefresh(b) while a is held: %v", err)
		}
		unlockB()
	}
	// Reads and writes of the key do not wait for its refresh lock.
	if err := s.Save(ctx, "a", Credentials("at-1", time.Time{})); err != nil {
		t.Fatalf("Save while the refresh lock is held: %v", err)
	}
	if _, err := s.Load(ctx, "a"); err != nil {
		t.Fatalf("Load while the refresh lock is held: %v", err)
	}
	// The key itself is busy: a wait ends with the context.
	short, cancel := context.WithCancel(ctx)
	got := make(chan error, 1)
	go func() {
		u, err := s.LockRefresh(short, "a")
		if err == nil {
			u()
		}
		got <- err
	}()
	cancel()
	if err := <-got; err == nil {
		t.Fatal("LockRefresh of a held key succeeded")
	} else if !errors.Is(err, context.Canceled) {
		t.Errorf("LockRefresh of a held key after cancel: %v, want context.Canceled", err)
	}
	// Released, it is taken again; a second waiter gets it when we let go.
	waiter := make(chan error, 1)
	go func() {
		u, err := s.LockRefresh(ctx, "a")
		if err == nil {
			u()
		}
		waiter <- err
	}()
	unlock()
	if err := <-waiter; err != nil {
		t.Fatalf("LockRefresh after release: %v", err)
	}
}

// CheckExtensions checks that s keeps the extension fields of a state:
// for stores whose format has room for them.
func CheckExtensions(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	st := Credentials("at-1", time.Time{})
	st.Extensions = map[string]json.RawMessage{"dpop": json.RawMessage(`{"kty":"EC","crv":"P-256"}`)}
	if err := s.Save(ctx, "ext", st); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, "ext")
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Extensions["dpop"]) != `{"kty":"EC","crv":"P-256"}` {
		t.Errorf("extensions after a round trip: %q", got.Extensions)
	}
	// An Update that drops them drops them.
	err = s.Update(ctx, "ext", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		cur.Extensions = nil
		return cur, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Load(ctx, "ext"); err != nil || got.Extensions != nil {
		t.Errorf("extensions after an Update removed them: %q, %v", got.Extensions, err)
	}
}
