package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestLeaseOfCrashedHolderEnds: a lease its holder never released (it
// crashed) ends after LeaseDuration, and another store takes it.
func TestLeaseOfCrashedHolderEnds(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			opts := &sqlstore.Options{Table: uniqueTable(), LeaseDuration: 300 * time.Millisecond}
			crashed := b.open(t, opts)
			if _, err := crashed.LockRefresh(ctx, "k"); err != nil { // never released
				t.Fatal(err)
			}
			other := b.reopen(t, crashed, opts)
			short, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := other.LockRefresh(short, "k"); err == nil {
				t.Fatal("took a lease another holder has")
			}
			wait, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			unlock, err := other.LockRefresh(wait, "k")
			if err != nil {
				t.Fatalf("the crashed holder's lease did not end: %v", err)
			}
			unlock()
		})
	}
}

// TestLeaseHungEndpointPinsNothing: while the refresh of key A hangs at its
// token endpoint, holding A's lease, a store whose pool has one connection
// still loads A, and refreshes and stores B: the hung refresh holds no
// connection and no row or database lock.
func TestLeaseHungEndpointPinsNothing(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			ts := storetest.NewHungTokenServer(t, "rt-a")
			s := b.open(t, &sqlstore.Options{Table: uniqueTable()})
			s.DB().SetMaxOpenConns(1)
			storetest.SaveExpired(t, s, ts.URL, "a", "b")
			aDone := ts.HungRefresh(t, s, "a")
			limit, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if _, err := s.Load(limit, "a"); err != nil {
				t.Fatalf("Load(a) during a's hung refresh: %v", err)
			}
			bc, err := store.Bind(limit, s, "b", nil)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := bc.Token(limit)
			if err != nil || tok.AccessToken != "at-for-rt-b" {
				t.Fatalf("b during a's hung refresh: %v, %v", tok, err)
			}
			ts.Release()
			if err := <-aDone; err != nil {
				t.Fatalf("a after release: %v", err)
			}
			got, err := s.Load(ctx, "a")
			if err != nil || got.Token.AccessToken != "at-for-rt-a" {
				t.Fatalf("stored a: %v, %v", got, err)
			}
		})
	}
}

// TestMigrateFromVersion1: a store made by the layout version 1 (no lease
// table) gains the lease table when opened.
func TestMigrateFromVersion1(t *testing.T) {
	for _, b := range rawBackends() {
		t.Run(b.name, func(t *testing.T) {
			exec, open := b.prepare(t)
			table := uniqueTable()
			s, err := open(&sqlstore.Options{Table: table})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			exec(fmt.Sprintf(`DROP TABLE %s_lease`, table))
			exec(fmt.Sprintf(`UPDATE %s_schema SET version = 1`, table))
			s, err = open(&sqlstore.Options{Table: table})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			unlock, err := s.LockRefresh(ctx, "k")
			if err != nil {
				t.Fatalf("LockRefresh after migrating from version 1: %v", err)
			}
			unlock()
		})
	}
}

var _ oauth2client.CredentialsStore = (*sqlstore.Store)(nil)
