// Package storetest checks that a [store.Store] keeps the store contract:
// every implementation runs the same suite with [Run].
package storetest

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
)

// Credentials returns the stored state of test credentials whose access
// token is access.
func Credentials(access string, expiry time.Time) *oauth2client.CredentialsState {
	return &oauth2client.CredentialsState{
		ClientID: "client-id", ClientSecret: "client-secret",
		TokenURI: "http://127.0.0.1:1/token", Scopes: []string{"openid", "email"},
		Token: &oauth2client.Token{AccessToken: access, RefreshToken: "refresh-" + access, Expiry: expiry},
	}
}

// Run runs the contract suite; open returns a new, empty store each call.
// Stores that can be opened twice on one medium (a file, a database) should
// return a store on a fresh medium, as shared behaviour is tested by the
// implementation's own cross-process tests.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	run(t, open, false)
}

// RunSingle runs the contract suite on a store of one entry that answers
// to every key (such as a one-credential file): as Run, except that List
// reports the one entry under a key of the store's choosing and Delete of
// any key removes it.
func RunSingle(t *testing.T, open func(t *testing.T) store.Store) {
	run(t, open, true)
}

func run(t *testing.T, open func(t *testing.T) store.Store, single bool) {
	ctx := context.Background()
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	access := func(t *testing.T, s store.Store, key string) string {
		t.Helper()
		c, err := s.Load(ctx, key)
		if err != nil {
			t.Fatalf("Load(%q): %v", key, err)
		}
		return c.Token.AccessToken
	}

	t.Run("LoadMissing", func(t *testing.T) {
		s := open(t)
		if _, err := s.Load(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Load of a missing key: %v, want ErrNotFound", err)
		}
	})
	t.Run("SaveLoadRoundTrip", func(t *testing.T) {
		s := open(t)
		if err := s.Save(ctx, "a", Credentials("at-1", expiry)); err != nil {
			t.Fatal(err)
		}
		c, err := s.Load(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		tok := c.Token
		if tok.AccessToken != "at-1" || tok.RefreshToken != "refresh-at-1" || !tok.Expiry.Equal(expiry) {
			t.Errorf("loaded token %+v", tok)
		}
		if c.ClientID != "client-id" || c.ClientSecret != "client-secret" || c.TokenURI == "" {
			t.Errorf("loaded client %q, token URI %q", c.ClientID, c.TokenURI)
		}
		if !slices.Equal(c.Scopes, []string{"openid", "email"}) && !slices.Equal(c.Scopes, []string{"email", "openid"}) {
			t.Errorf("scopes %v", c.Scopes)
		}
	})
	t.Run("SaveReplaces", func(t *testing.T) {
		s := open(t)
		for _, at := range []string{"at-1", "at-2"} {
			if err := s.Save(ctx, "a", Credentials(at, expiry)); err != nil {
				t.Fatal(err)
			}
		}
		if got := access(t, s, "a"); got != "at-2" {
			t.Errorf("after two saves: %q, want at-2", got)
		}
	})
	t.Run("DeleteAndList", func(t *testing.T) {
		s := open(t)
		if single {
			deleteAndListSingle(t, s)
			return
		}
		for _, k := range []string{"b", "a", "c"} {
			if err := s.Save(ctx, k, Credentials("at-"+k, expiry)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Delete(ctx, "b"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "missing"); err != nil {
			t.Errorf("Delete of a missing key: %v, want nil", err)
		}
		keys, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys, []string{"a", "c"}) {
			t.Errorf("List = %q, want [a c]", keys)
		}
		if _, err := s.Load(ctx, "b"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Load after Delete: %v, want ErrNotFound", err)
		}
	})
	t.Run("UpdateSemantics", func(t *testing.T) {
		s := open(t)
		// Creates a missing entry, seeing nil.
		err := s.Update(ctx, "a", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
			if cur != nil {
				t.Error("Update of a missing key passed non-nil current")
			}
			return Credentials("at-1", expiry), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// (nil, nil) leaves it unchanged.
		if err := s.Update(ctx, "a", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) { return nil, nil }); err != nil {
			t.Fatal(err)
		}
		// An error leaves it unchanged and is returned.
		boom := errors.New("boom")
		err = s.Update(ctx, "a", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
			return Credentials("at-x", expiry), boom
		})
		if !errors.Is(err, boom) {
			t.Errorf("Update returned %v, want fn's error", err)
		}
		if got := access(t, s, "a"); got != "at-1" {
			t.Errorf("after unchanged updates: %q, want at-1", got)
		}
	})
	t.Run("UpdateIsAtomic", func(t *testing.T) {
		s := open(t)
		if err := s.Save(ctx, "n", Credentials("0", expiry)); err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 5
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					err := s.Update(ctx, "n", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
						n, err := strconv.Atoi(cur.Token.AccessToken)
						if err != nil {
							return nil, err
						}
						return Credentials(strconv.Itoa(n+1), expiry), nil
					})
					if err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if got := access(t, s, "n"); got != strconv.Itoa(workers*each) {
			t.Errorf("counter = %s after %d increments", got, workers*each)
		}
	})
	t.Run("LockRefresh", func(t *testing.T) {
		checkLockRefresh(t, open(t), single)
	})
	t.Run("BoundRefreshOnce", func(t *testing.T) {
		s := open(t)
		ts := NewTokenServer(t, true)
		if err := s.Save(ctx, "k", ExpiredCredentials(ts.URL)); err != nil {
			t.Fatal(err)
		}
		got := ConcurrentTokens(t, 16, "k", func() (store.Store, error) { return s, nil })
		CheckRefreshedOnce(t, ts, s, "k", got...)
	})
}

func deleteAndListSingle(t *testing.T, s store.Store) {
	ctx := context.Background()
	if keys, err := s.List(ctx); err != nil || len(keys) != 0 {
		t.Fatalf("List of an empty store = %q, %v; want none", keys, err)
	}
	if err := s.Save(ctx, "a", Credentials("at-a", time.Time{})); err != nil {
		t.Fatal(err)
	}
	keys, err := s.List(ctx)
	if err != nil || len(keys) != 1 {
		t.Fatalf("List = %q, %v; want one key", keys, err)
	}
	for _, k := range []string{"a", keys[0], "any"} {
		if c, err := s.Load(ctx, k); err != nil || c.Token.AccessToken != "at-a" {
			t.Errorf("Load(%q) = %v; want the one entry", k, err)
		}
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Errorf("Delete of a missing entry: %v, want nil", err)
	}
	if keys, err := s.List(ctx); err != nil || len(keys) != 0 {
		t.Errorf("List after Delete = %q, %v; want none", keys, err)
	}
	if _, err := s.Load(ctx, "a"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Load after Delete: %v, want ErrNotFound", err)
	}
}
