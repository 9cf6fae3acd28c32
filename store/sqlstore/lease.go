package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/oauth2client/oauth2client/internal/safefile"
)

// DefaultLeaseDuration is how long a refresh lease lasts when
// [Options].LeaseDuration is zero: the 90 s limit of a refresh plus a
// margin.
const DefaultLeaseDuration = 2 * time.Minute

// Lease polling: the first retry after leaseRetryMin, doubling up to
// leaseRetryMax.
const (
	leaseRetryMin = 5 * time.Millisecond
	leaseRetryMax = 250 * time.Millisecond
)

// leaseQueries builds the statements of the refresh leases, kept in the
// table Table+"_lease": one row per leased key, holding a random owner and
// the time the lease ends, in milliseconds since 1970 by the database's
// clock (so the clocks of replicas need not agree).
func (s *Store) leaseQueries() {
	lt := s.quote(s.table + "_lease")
	now := `CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)`
	if s.dialect == Postgres {
		now = `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)`
	}
	p1, p2, p3 := s.ph(1), s.ph(2), s.ph(3)
	// Taken when no row exists or its lease has ended; a statement of its
	// own (autocommit), so no lock or connection is held between polls or
	// while the lease is held.
	s.qLease = `INSERT INTO ` + lt + ` ("key", lease_owner, lease_until) VALUES (` + p1 + `, ` + p2 + `, ` + now + ` + ` + p3 + `)
		ON CONFLICT ("key") DO UPDATE SET lease_owner = excluded.lease_owner, lease_until = excluded.lease_until
		WHERE ` + lt + `.lease_until <= ` + now
	s.qRelease = `DELETE FROM ` + lt + ` WHERE "key" = ` + p1 + ` AND lease_owner = ` + p2
}

// LockRefresh implements [store.Store] with a lease: a row of the table
// Table+"_lease" taken by a conditional upsert when the key has no lease
// or its lease has ended, polled with backoff until ctx ends, and deleted
// on release. The lease lasts [Options].LeaseDuration, so a holder that
// crashed blocks the key's refreshes for at most that long; no connection
// or lock is held in between, so a hung token endpoint pins no pooled
// connection and delays no other key.
func (s *Store) LockRefresh(ctx context.Context, key string) (func(), error) {
	var b [16]byte
	rand.Read(b[:])
	owner := hex.EncodeToString(b[:])
	start := time.Now()
	logged := false
	var tryErr error // an error of the database, not of ctx
	err := safefile.Poll(ctx, leaseRetryMin, leaseRetryMax, func() (bool, error) {
		res, err := s.db.ExecContext(ctx, s.qLease, key, owner, s.lease.Milliseconds())
		var n int64
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err != nil {
			tryErr = s.errorf("taking the refresh lease of", key, err)
			return false, tryErr
		}
		if n != 1 && !logged {
			logged = true
			s.logger.DebugContext(ctx, "sqlstore: waiting for the refresh lease another holder has", "store", s.name, "key", key)
		}
		return n == 1, nil
	})
	switch {
	case tryErr != nil:
		return nil, tryErr
	case err != nil:
		return nil, s.errorf("waiting for the refresh lease of", key, fmt.Errorf("%w (held by another holder for up to %v)", context.Cause(ctx), s.lease))
	}
	if logged {
		s.logger.DebugContext(ctx, "sqlstore: took the refresh lease", "store", s.name, "key", key, "waited", time.Since(start))
	}
	return func() { s.release(key, owner) }, nil
}

// release ends the lease owner holds on key; if it fails, the lease ends
// by itself when its time is up.
func (s *Store) release(key, owner string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := s.db.ExecContext(ctx, s.qRelease, key, owner); err != nil {
		s.logger.DebugContext(ctx, "sqlstore: releasing the refresh lease failed; it ends by itself", "store", s.name, "key", key, "error", err)
	}
}
