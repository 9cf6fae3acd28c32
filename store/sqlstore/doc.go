// Package sqlstore keeps credentials in an SQL database through
// database/sql: SQLite for one machine, PostgreSQL for many replicas. It
// implements [store.Store], so credentials bound to it with [store.Bind]
// refresh once however many goroutines, processes or machines share it,
// without holding a connection or lock across the token request.
//
// # Opening
//
// The drivers are in packages of their own, so that a program links only
// the one it uses: each adds megabytes to a binary, and work to every
// start of a program that links it.
//
//   - [github.com/oauth2client/oauth2client/store/sqlstore/sqlite.Open]
//     opens a database file with modernc.org/sqlite (pure Go, no cgo):
//     created with mode 0600, in WAL mode, with a busy timeout so that
//     processes wait for each other's locks.
//   - [github.com/oauth2client/oauth2client/store/sqlstore/postgres.Open]
//     connects with github.com/jackc/pgx/v5.
//   - [New] takes a *sql.DB the caller opened and manages, through a
//     driver the caller imports (package sqlstore registers none).
//
// # Table
//
// One table, named by [Options].Table (default [DefaultTable]), holds a row
// per key:
//
//	"key"      TEXT PRIMARY KEY
//	credential TEXT      -- the credentials as oauth2client's JSON
//	version    INTEGER   -- 1 on insert, incremented on every write
//	updated_at TEXT (SQLite, RFC 3339 UTC) or TIMESTAMPTZ (PostgreSQL)
//
// A second table, Table+"_schema", records the layout's version, and a
// third, Table+"_lease", the refresh leases (see Locking; added by layout
// version 2). Opening creates them, or brings an older layout up to date (a table with only
// the key and credential columns gains the others), under a lock every
// opener takes: SQLite's write lock or a PostgreSQL advisory lock, so
// processes may open a new database at the same moment. A layout newer than
// this package knows is an error, not a guess.
//
// # Locking
//
// [Store.Update] is an atomic read-modify-write:
//
//   - SQLite: the read and the write run between BEGIN IMMEDIATE and
//     COMMIT on one connection, so the database's write lock is held from
//     the read on, across processes. Goroutines of one Store queue in Go
//     rather than in SQLite's busy handler.
//   - PostgreSQL: a READ COMMITTED transaction locks the row with SELECT
//     ... FOR UPDATE. A missing key has no row to lock, so Update inserts a
//     placeholder row with INSERT ... ON CONFLICT DO NOTHING and selects it
//     FOR UPDATE: a concurrent Update of the key waits on the primary key
//     until the first commits, then reads what it stored. The placeholder
//     is never committed; fn's result replaces it, or the transaction rolls
//     back. This uses only the row's own lock, which Save and Delete also
//     respect, where pg_advisory_xact_lock(hashtext(key)) would be a second
//     lock every writer had to remember, shared with every other program's
//     advisory locks in the database, and costing a round trip per Update.
//
// Refreshes of one key are serialized by a lease, [Store.LockRefresh],
// not by a held transaction: a row of the table Table+"_lease" (key,
// owner, end time by the database's clock) taken by one conditional
// upsert when the key has no lease or its lease has ended, polled with a
// backoff (5 ms doubling to 250 ms) until the context ends, and deleted on
// release. A lease lasts [Options].LeaseDuration (default
// [DefaultLeaseDuration], the 90 s refresh limit plus a margin), so
// a crashed holder blocks the key's refreshes for at most that long. The
// bound refresh holds the lease across its token request and the row or
// database lock only for the short read before it and the short write
// after it: a hung token endpoint for one user pins no pooled connection
// and blocks no other user. A lease table rather than lease columns on the
// credentials rows: a key with no row can be leased, and leases neither
// bump a row's version nor wait on its row lock. An advisory lock
// (pg_advisory_lock) would need a session, and so a pooled connection,
// held across the request.
//
// Every call honours its context, including while waiting for a lock.
//
// # Errors
//
// Errors name the store (the SQLite path, or the PostgreSQL host, port and
// database, never the password) and the key, never credential contents.
//
// # Performance
//
// On a 2-CPU virtual machine, with 1, 100 or 10,000 credentials stored (the
// primary key makes the count irrelevant): Load takes about 70-90 µs on
// SQLite and 180-260 µs on a local PostgreSQL; Update, one synced
// transaction, about 1.5-3 ms on SQLite and 1-2 ms on PostgreSQL.
package sqlstore
