package store_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// seeded returns a token server and a memory store holding its expired
// credentials under "k".
func seeded(t *testing.T, rotate bool) (*storetest.TokenServer, store.Store) {
	t.Helper()
	ts := storetest.NewTokenServer(t, rotate)
	s := store.NewMemory()
	if err := s.Save(context.Background(), "k", storetest.ExpiredCredentials(ts.URL)); err != nil {
		t.Fatal(err)
	}
	return ts, s
}

// TestBoundRotationPersistsBeforeUse: the rotated refresh token is in the
// store when the listener first sees the new access token.
func TestBoundRotationPersistsBeforeUse(t *testing.T) {
	_, s := seeded(t, true)
	ctx := context.Background()
	c, err := store.Bind(ctx, s, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	var storedRT string
	c.OnToken(func(*oauth2client.Token) {
		if got, err := s.Load(ctx, "k"); err == nil {
			storedRT = got.Token.RefreshToken
		}
	})
	if _, err := c.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if storedRT != "rt-1" {
		t.Errorf("store held refresh token %q when the token was first used, want rt-1", storedRT)
	}
}

// TestBoundAdoptsRotatedRefreshToken: a refresh made through one holder
// rotates the refresh token; another holder whose token then expires uses
// the stored (rotated) refresh token, not its stale copy.
func TestBoundAdoptsRotatedRefreshToken(t *testing.T) {
	ts, s := seeded(t, true)
	ctx := context.Background()
	a, _ := store.Bind(ctx, s, "k", nil)
	b, _ := store.Bind(ctx, s, "k", nil)
	if _, err := a.Token(ctx); err != nil {
		t.Fatal(err)
	}
	// b adopts a's token without a request.
	tok, err := b.Token(ctx)
	if err != nil || tok.AccessToken != "at-1" || ts.Refreshes() != 1 {
		t.Fatalf("b got %v, %v after %d refreshes; want at-1 after 1", tok, err, ts.Refreshes())
	}
	// A forced refresh in b now uses rt-1, stored by a.
	tok, err = b.Refresh(ctx)
	if err != nil || tok.RefreshToken != "rt-2" {
		t.Fatalf("forced refresh: %v, %v", tok, err)
	}
}

// TestBoundInvalidStored: invalid_grant is stored, and other holders then
// fail without a request.
func TestBoundInvalidStored(t *testing.T) {
	ts, s := seeded(t, false)
	ts.SetInvalidGrant(true)
	ctx := context.Background()
	a, _ := store.Bind(ctx, s, "k", nil)
	b, _ := store.Bind(ctx, s, "k", nil)
	if _, err := a.Token(ctx); !errors.Is(err, oauth2client.ErrInvalidGrant) {
		t.Fatalf("a: %v, want invalid_grant", err)
	}
	stored, err := s.Load(ctx, "k")
	if err != nil || !stored.Invalid {
		t.Fatalf("stored invalid = %v (%v), want true", stored != nil && stored.Invalid, err)
	}
	if _, err := b.Token(ctx); !errors.Is(err, oauth2client.ErrInvalidCredentials) {
		t.Fatalf("b: %v, want ErrInvalidCredentials", err)
	}
	if n := ts.Refreshes(); n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
}

// TestBoundRevokeDeletes: Revoke deletes the entry.
func TestBoundRevokeDeletes(t *testing.T) {
	rs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer rs.Close()
	s := store.NewMemory()
	ctx := context.Background()
	c := oauth2client.NewCredentials(oauth2client.CredentialsConfig{ClientID: "c", RevokeURI: rs.URL},
		&oauth2client.Token{AccessToken: "at", RefreshToken: "rt"})
	if err := s.Save(ctx, "k", c.State()); err != nil {
		t.Fatal(err)
	}
	c = store.BindCredentials(s, "k", c, nil)
	if err := c.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Load after revoke: %v, want ErrNotFound", err)
	}
}

// failWrite wraps a Store; while fail is set, an Update runs fn and then
// fails to store what fn returned, as a full disk or a lost database
// connection would.
type failWrite struct {
	store.Store
	fail bool
}

func (f *failWrite) Update(ctx context.Context, key string, fn store.UpdateFunc) error {
	return f.Store.Update(ctx, key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		next, err := fn(cur)
		if err == nil && next != nil && f.fail {
			f.fail = false
			return nil, errors.New("injected write failure")
		}
		return next, err
	})
}

// TestBoundUnstoredRotationKept: when the store fails to write a refreshed
// token, the refresh fails (the token is not used unstored), but the rotated
// refresh token is kept and stored by the next refresh, which makes no new
// request with the refresh token the server has already replaced.
func TestBoundUnstoredRotationKept(t *testing.T) {
	ts, mem := seeded(t, true)
	s := &failWrite{Store: mem, fail: true}
	ctx := context.Background()
	c, err := store.Bind(ctx, s, "k", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Token(ctx); err == nil {
		t.Fatal("Token succeeded although the store failed to write the refreshed token")
	}
	if got, _ := mem.Load(ctx, "k"); got.Token.RefreshToken != "rt-0" {
		t.Fatalf("store holds %q after the failed write, want rt-0", got.Token.RefreshToken)
	}
	// Refresh, not Token: Token would wait out the backoff after the failure.
	tok, err := c.Refresh(ctx)
	if err != nil || tok.AccessToken != "at-1" {
		t.Fatalf("Refresh: %v, %v; want at-1 from the first refresh", tok, err)
	}
	if n := ts.Refreshes(); n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
	if got, _ := mem.Load(ctx, "k"); got.Token.RefreshToken != "rt-1" {
		t.Errorf("store holds refresh token %q, want the rotated rt-1", got.Token.RefreshToken)
	}
}

// TestBoundUnstoredTokenYieldsToNewerEntry: a token kept after a failed
// write is dropped when another holder stored a token meanwhile; the
// stored one is adopted.
func TestBoundUnstoredTokenYieldsToNewerEntry(t *testing.T) {
	ts, mem := seeded(t, false)
	s := &failWrite{Store: mem, fail: true}
	ctx := context.Background()
	a, _ := store.Bind(ctx, s, "k", nil)
	b, _ := store.Bind(ctx, mem, "k", nil)
	if _, err := a.Token(ctx); err == nil {
		t.Fatal("Token succeeded although the store failed to write the refreshed token")
	}
	if tok, err := b.Token(ctx); err != nil || tok.AccessToken != "at-2" {
		t.Fatalf("b: %v, %v; want at-2", tok, err)
	}
	tok, err := a.Refresh(ctx)
	if err != nil || tok.AccessToken != "at-2" {
		t.Fatalf("a: %v, %v; want b's at-2 adopted", tok, err)
	}
	if n := ts.Refreshes(); n != 2 {
		t.Errorf("%d refresh requests, want 2", n)
	}
}

// TestBoundDeletedEntryStaysDeleted: when the entry was deleted (a logout
// here, or a revoke by another holder), a bound refresh makes no request and
// does not write the entry back, whether or not the server would still have
// refreshed.
func TestBoundDeletedEntryStaysDeleted(t *testing.T) {
	for _, serverRefuses := range []bool{false, true} {
		t.Run(fmt.Sprintf("server refuses %t", serverRefuses), func(t *testing.T) {
			ts, s := seeded(t, false)
			ctx := context.Background()
			c, err := store.Bind(ctx, s, "k", nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "k"); err != nil { // as logout or Revoke elsewhere does
				t.Fatal(err)
			}
			ts.SetInvalidGrant(serverRefuses)
			if _, err := c.Token(ctx); !errors.Is(err, oauth2client.ErrInvalidCredentials) {
				t.Fatalf("Token: %v, want ErrInvalidCredentials", err)
			}
			if _, err := s.Load(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Load after the refresh: %v, want ErrNotFound", err)
			}
			if n := ts.Refreshes(); n != 0 {
				t.Errorf("%d refresh requests, want 0", n)
			}
		})
	}
}

// Bind and BindCredentials carry every run-time setting (found missing in
// review: a bound credential lost its retry, logger, client auth and proof
// binder).
func TestBindCarriesRunTimeSettings(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	m := store.NewMemory()
	orig := oauth2client.NewCredentials(oauth2client.CredentialsConfig{ClientID: "cid", TokenURI: "https://issuer.example/token"},
		&oauth2client.Token{AccessToken: "at", RefreshToken: "rt"})
	if err := m.Save(ctx, "k", orig.State()); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	auth := oauth2client.AuthStylePost.ClientAuth("secret")
	opts := &store.BindOptions{Logger: logger, ClientAuth: auth, Retry: oauth2client.RetryOptions{Max: 7}}
	bound, err := store.Bind(ctx, m, "k", opts)
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, c *oauth2client.Credentials) {
		cfg := c.Config()
		if cfg.Logger != logger || cfg.ClientAuth != auth || cfg.Retry.Max != 7 || cfg.Store != m || cfg.StoreKey != "k" || cfg.ClientID != "cid" {
			t.Errorf("%s: config %+v lost a run-time setting or the stored client", name, cfg)
		}
	}
	check("Bind", bound)
	check("BindCredentials(nil)", store.BindCredentials(m, "k", bound, nil))
	check("BindCredentials(opts)", store.BindCredentials(m, "k", orig, opts))
}
