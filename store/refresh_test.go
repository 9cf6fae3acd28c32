package store_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestBoundWriteBackRechecks: a writer that does not take the refresh lock
// (Save, Delete, a Python program) changes the entry while the refresh
// request is in flight; the write after the request re-checks the entry.
func TestBoundWriteBackRechecks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hour := time.Now().Add(time.Hour)
	withToken := func(at, rt string, expiry time.Time) *oauth2client.CredentialsState {
		st := storetest.ExpiredCredentials("")
		st.Token = &oauth2client.Token{AccessToken: at, RefreshToken: rt, Expiry: expiry}
		return st
	}
	cases := []struct {
		name      string
		meanwhile func(s store.Store) error
		wantErr   error  // nil: success
		wantAT    string // the token served
		stored    string // the access token stored after
		invalid   bool   // stored marked invalid
		deleted   bool
	}{
		{name: "deleted: stays deleted", meanwhile: func(s store.Store) error { return s.Delete(ctx, "k") },
			wantErr: oauth2client.ErrInvalidCredentials, deleted: true},
		{name: "marked invalid: not written", meanwhile: func(s store.Store) error {
			return s.Update(ctx, "k", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
				cur.Invalid = true
				return cur, nil
			})
		}, wantErr: oauth2client.ErrInvalidCredentials, stored: "old", invalid: true},
		{name: "replaced by a valid login: adopted", meanwhile: func(s store.Store) error {
			return s.Save(ctx, "k", withToken("login-at", "login-rt", hour))
		}, wantAT: "login-at", stored: "login-at"},
		{name: "replaced by an expired login: theirs kept", meanwhile: func(s store.Store) error {
			return s.Save(ctx, "k", withToken("login-at", "login-rt", time.Now().Add(-time.Hour)))
		}, wantErr: errors.New("changed"), stored: "login-at"},
		{name: "access token changed, same refresh token: ours stored", meanwhile: func(s store.Store) error {
			return s.Save(ctx, "k", withToken("python-at", "rt-0", time.Now().Add(-time.Minute)))
		}, wantAT: "at-1", stored: "at-1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := store.NewMemory()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := tc.meanwhile(s); err != nil {
					t.Error(err)
				}
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprint(w, `{"access_token":"at-1","token_type":"Bearer","expires_in":3600}`)
			}))
			defer srv.Close()
			if err := s.Save(ctx, "k", storetest.ExpiredCredentials(srv.URL)); err != nil {
				t.Fatal(err)
			}
			c, err := store.Bind(ctx, s, "k", nil)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := c.Token(ctx)
			switch {
			case tc.wantErr == nil && err != nil:
				t.Fatalf("Token: %v", err)
			case tc.wantErr == oauth2client.ErrInvalidCredentials && !errors.Is(err, tc.wantErr):
				t.Fatalf("Token: %v, want %v", err, tc.wantErr)
			case tc.wantErr != nil && err == nil:
				t.Fatalf("Token = %q, want an error", tok.AccessToken)
			case tc.wantErr == nil && tok.AccessToken != tc.wantAT:
				t.Errorf("Token = %q, want %q", tok.AccessToken, tc.wantAT)
			}
			got, err := s.Load(ctx, "k")
			if tc.deleted {
				if !errors.Is(err, store.ErrNotFound) {
					t.Errorf("Load: %v, want ErrNotFound", err)
				}
				return
			}
			if err != nil || got.Token.AccessToken != tc.stored || got.Invalid != tc.invalid {
				t.Errorf("stored %v (invalid %t), %v; want %q (invalid %t)", got.Token, got.Invalid, err, tc.stored, tc.invalid)
			}
		})
	}
}

// TestBoundRefreshHoldsNoStoreLock: while a bound refresh waits for its
// token endpoint, the store's Update lock is free (another key is written)
// and the key's refresh lock is held (a second holder waits for it).
func TestBoundRefreshHoldsNoStoreLock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ts := storetest.NewHungTokenServer(t, "rt-0")
	s := store.NewMemory()
	if err := s.Save(ctx, "k", storetest.ExpiredCredentials(ts.URL)); err != nil {
		t.Fatal(err)
	}
	done := ts.HungRefresh(t, s, "k")
	if err := s.Save(ctx, "other", storetest.Credentials("x", time.Time{})); err != nil {
		t.Fatalf("Save during a hung refresh: %v", err)
	}
	short, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.LockRefresh(short, "k"); err == nil {
		t.Error("the refresh lock of k is free during its refresh")
	}
	ts.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestMemoryExtensions(t *testing.T) {
	t.Parallel()
	storetest.CheckExtensions(t, store.NewMemory())
}
