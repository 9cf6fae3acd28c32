package store_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestBindStoredDPoPKeyWins binds stored DPoP-bound credentials with
// BindOptions giving a prover of another key, as a web server's flow (or a
// second replica, with its own key) gives every user: the entry's tokens
// are bound to the stored key, so the credentials sign with it, refresh
// against a DPoP server and call its API, and the entry stays valid and
// keeps its key. A new entry (no stored key) gets the given prover's key.
func TestBindStoredDPoPKeyWins(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := storetest.NewDPoPServer(t, oauth2test.Options{DPoPNonce: true, RotateRefreshTokens: true})
	c := storetest.DPoPCredentials(t, srv)
	stored := c.Config().ProofBinder.(*dpop.Prover)
	s := store.NewMemory()
	if err := s.Save(ctx, "alice", c.State()); err != nil {
		t.Fatal(err)
	}

	for i := range 2 { // two replicas, each with its own prover
		other, err := dpop.NewProver(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := store.Bind(ctx, s, "alice", &store.BindOptions{ProofBinder: other})
		if err != nil {
			t.Fatalf("replica %d: Bind: %v", i, err)
		}
		if p, ok := b.Config().ProofBinder.(*dpop.Prover); !ok || p.JKT() != stored.JKT() {
			t.Fatalf("replica %d: the credentials sign with %T, not the stored key", i, b.Config().ProofBinder)
		}
		if _, err := b.Refresh(ctx); err != nil {
			t.Fatalf("replica %d: refresh with another configured prover: %v", i, err)
		}
		resp, err := b.Client(nil).Get(srv.URL + oauth2test.PathCalendarList)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("replica %d: API call status %d", i, resp.StatusCode)
		}
		got, err := s.Load(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if got.Invalid || string(got.Extensions[dpop.Extension]) != string(c.State().Extensions[dpop.Extension]) {
			t.Fatalf("replica %d: entry invalid %v, or its stored key was replaced", i, got.Invalid)
		}
	}

	// The configured prover itself is kept when it holds the stored key.
	if b, err := store.Bind(ctx, s, "alice", &store.BindOptions{ProofBinder: stored}); err != nil || b.Config().ProofBinder != stored {
		t.Errorf("Bind with the stored key's prover: %v; the prover was not kept", err)
	}

	// An entry without a stored key gets the configured prover's key.
	fresh := storetest.DPoPCredentials(t, srv)
	st := fresh.State()
	delete(st.Extensions, dpop.Extension)
	st.Token = nil
	if err := s.Save(ctx, "bob", st); err != nil {
		t.Fatal(err)
	}
	mine, _ := dpop.NewProver(nil, nil)
	b, err := store.Bind(ctx, s, "bob", &store.BindOptions{ProofBinder: mine})
	if err != nil || b.Config().ProofBinder != mine {
		t.Fatalf("Bind of an entry without a key: %v; the configured prover is not used", err)
	}
	if _, ok := b.State().Extensions[dpop.Extension]; !ok {
		t.Error("the configured prover's key is not kept with new credentials")
	}
}
