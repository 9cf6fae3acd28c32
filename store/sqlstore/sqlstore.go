package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
)

// DefaultTable is the name of the table a [Store] uses when
// [Options].Table is empty.
const DefaultTable = "oauth2client_credentials"

// schemaVersion is the version of the table layout this package writes;
// see migrate.
const schemaVersion = 2

// Dialect names the SQL database behind a *sql.DB given to [New].
type Dialect int

const (
	// SQLite is SQLite, for example through modernc.org/sqlite.
	SQLite Dialect = iota + 1
	// Postgres is PostgreSQL, for example through github.com/jackc/pgx/v5/stdlib.
	Postgres
)

// String returns "sqlite" or "postgres".
func (d Dialect) String() string {
	switch d {
	case SQLite:
		return "sqlite"
	case Postgres:
		return "postgres"
	}
	return fmt.Sprintf("Dialect(%d)", int(d))
}

// Options configure a [Store]. The zero value (or a nil *Options) gives the
// defaults.
type Options struct {
	// Table is the name of the credentials table: lowercase ASCII letters,
	// digits and underscores, starting with a letter or an underscore, at
	// most 48 bytes. Empty means DefaultTable. A second table, Table
	// followed by "_schema", records the layout's version.
	Table string
	// BusyTimeout is how long an SQLite operation waits for a lock another
	// connection or process holds before failing; zero means 30 seconds
	// (sqlite.Open sets it on each connection; give a database opened
	// otherwise its own). The operation's context can end the wait
	// earlier. PostgreSQL waits for row locks until the context ends.
	BusyTimeout time.Duration
	// InsecureAllowReadableDatabase makes sqlite.Open open an existing
	// database (or -wal, -shm, -journal file) that users other than its
	// owner may read, which it otherwise refuses with sqlite.ErrReadable.
	InsecureAllowReadableDatabase bool
	// Name describes the database in error messages; empty means the
	// dialect's name. sqlite.Open uses "sqlite:" and the path, and
	// postgres.Open the host, port and database name.
	Name string
	// CloseDB makes [Store.Close] close the *sql.DB given to [New] too;
	// by default the store leaves it open for its owner. sqlite.Open and
	// postgres.Open set it: the database they open is the store's. When
	// New fails, db is left open either way: its caller closes it.
	CloseDB bool
	// Now returns the time written to updated_at; nil means time.Now.
	Now func() time.Time
	// LeaseDuration is how long a refresh lease ([Store.LockRefresh])
	// lasts unless released; zero means [DefaultLeaseDuration]. A refresh
	// that outlives it may overlap another holder's refresh of the key,
	// which the write after the refresh then detects.
	LeaseDuration time.Duration
	// Logger, when set, receives debug records of waits for refresh
	// leases; never a credential.
	Logger *slog.Logger
}

// validTableName reports whether name is a lowercase identifier of at most
// 48 characters: [a-z_][a-z0-9_]*. (A regexp for this costs every program
// that links the package a third of a millisecond at start-up.)
func validTableName(name string) bool {
	if name == "" || len(name) > 48 || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// Store is a [store.Store] kept in one table of an SQL database: one row
// per key holding the credentials as oauth2client's JSON, a version
// incremented on every write, and the time of the last write. It is safe
// for concurrent use by goroutines, processes and (with PostgreSQL)
// machines.
type Store struct {
	db      *sql.DB
	ownsDB  bool // Close closes db
	dialect Dialect
	name    string // for errors: path or host:port/db, never a password
	table   string
	now     func() time.Time
	lease   time.Duration
	logger  *slog.Logger // never nil
	// writeGate (SQLite) lets one Update of this store at a time try for
	// the database's write lock, so goroutines queue here, leaving when
	// their context ends, instead of polling SQLite's busy handler.
	writeGate chan struct{}

	qLoad, qList, qDelete, qSave            string
	qSelectForUpdate, qPlaceholder, qUpdate string
	qLease, qRelease                        string
}

var _ store.Store = (*Store)(nil)

// New returns a store on a database the caller opened; Close leaves db
// open unless opts.CloseDB is set. Packages sqlite and postgres beside
// this one open the database and call New. It creates the table, or brings an older layout up to date, unless
// that is done already; several processes may do this at once. opts may be
// nil.
//
// Package sqlstore registers no database/sql driver: the program imports
// the one db uses (modernc.org/sqlite registers "sqlite", and so does
// importing store/sqlstore/sqlite; github.com/jackc/pgx/v5/stdlib
// registers "pgx"). With SQLite, give db a busy timeout (modernc.org/sqlite:
// "_pragma=busy_timeout(30000)" in the DSN) so processes wait for each
// other's locks instead of failing. With PostgreSQL, transactions run at
// the READ COMMITTED isolation level whatever the database's default.
func New(ctx context.Context, db *sql.DB, dialect Dialect, opts *Options) (*Store, error) {
	if dialect != SQLite && dialect != Postgres {
		return nil, fmt.Errorf("sqlstore: unknown dialect %v", dialect)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Name == "" {
		o.Name = dialect.String()
	}
	s := &Store{db: db, ownsDB: o.CloseDB, dialect: dialect, name: o.Name, table: o.Table, now: o.Now}
	if s.table == "" {
		s.table = DefaultTable
	}
	if !validTableName(s.table) {
		return nil, fmt.Errorf("sqlstore: %s: invalid Options.Table %q: want lowercase letters, digits and underscores, at most 48 bytes", s.name, s.table)
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.lease = cmp.Or(max(o.LeaseDuration, 0), DefaultLeaseDuration)
	s.logger = o.Logger
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if dialect == SQLite {
		s.writeGate = make(chan struct{}, 1)
	}
	t := s.quote(s.table)
	p1, p2, p3 := s.ph(1), s.ph(2), s.ph(3)
	s.qLoad = `SELECT credential FROM ` + t + ` WHERE "key" = ` + p1
	s.qList = `SELECT "key" FROM ` + t + ` ORDER BY "key"`
	s.qDelete = `DELETE FROM ` + t + ` WHERE "key" = ` + p1
	s.qSave = `INSERT INTO ` + t + ` ("key", credential, version, updated_at) VALUES (` + p1 + `, ` + p2 + `, 1, ` + p3 + `)
		ON CONFLICT ("key") DO UPDATE SET credential = excluded.credential, version = ` + t + `.version + 1, updated_at = excluded.updated_at`
	s.qSelectForUpdate = `SELECT credential, version FROM ` + t + ` WHERE "key" = ` + p1
	if dialect == Postgres {
		s.qSelectForUpdate += ` FOR UPDATE`
		// version 0 and an empty credential mark a row Update inserted to
		// lock a missing key; it is never committed as such.
		s.qPlaceholder = `INSERT INTO ` + t + ` ("key", credential, version, updated_at) VALUES (` + p1 + `, '', 0, ` + p2 + `) ON CONFLICT ("key") DO NOTHING`
		s.qUpdate = `UPDATE ` + t + ` SET credential = ` + p2 + `, version = version + 1, updated_at = ` + p3 + ` WHERE "key" = ` + p1
	}
	s.leaseQueries()
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// quote quotes an identifier already checked by validTableName.
func (s *Store) quote(id string) string { return `"` + id + `"` }

// ph returns the n-th query placeholder.
func (s *Store) ph(n int) string {
	if s.dialect == Postgres {
		return fmt.Sprintf("$%d", n)
	}
	return fmt.Sprintf("?%d", n)
}

// timestamp returns the value written to updated_at.
func (s *Store) timestamp() any {
	t := s.now().UTC()
	if s.dialect == SQLite {
		return t.Format(time.RFC3339Nano)
	}
	return t
}

// errorf returns an error naming the store and, when not empty, the key.
func (s *Store) errorf(op, key string, err error) error {
	if key == "" {
		return fmt.Errorf("sqlstore: %s: %s: %w", s.name, op, err)
	}
	return fmt.Errorf("sqlstore: %s: %s %q: %w", s.name, op, key, err)
}

// Load implements [store.Store].
func (s *Store) Load(ctx context.Context, key string) (*oauth2client.CredentialsState, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, s.qLoad, key).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, s.errorf("load", key, err)
	}
	c, err := parse(b)
	if err != nil {
		return nil, s.errorf("load", key, err)
	}
	return c, nil
}

// Save implements [store.Store].
func (s *Store) Save(ctx context.Context, key string, c *oauth2client.CredentialsState) error {
	b, err := marshal(c)
	if err != nil {
		return s.errorf("save", key, err)
	}
	if _, err := s.db.ExecContext(ctx, s.qSave, key, string(b), s.timestamp()); err != nil {
		return s.errorf("save", key, err)
	}
	return nil
}

// Delete implements [store.Store].
func (s *Store) Delete(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, s.qDelete, key); err != nil {
		return s.errorf("delete", key, err)
	}
	return nil
}

// List implements [store.Store].
func (s *Store) List(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.qList)
	if err != nil {
		return nil, s.errorf("list", "", err)
	}
	defer rows.Close()
	keys := []string{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, s.errorf("list", "", err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		return nil, s.errorf("list", "", err)
	}
	return keys, nil
}

// Update implements [store.Store]. With SQLite it runs in a BEGIN
// IMMEDIATE transaction, which holds the database's write lock from the
// read to the write, across processes. With PostgreSQL it locks the row
// with SELECT ... FOR UPDATE; see the package documentation for how a
// missing key is locked.
func (s *Store) Update(ctx context.Context, key string, fn store.UpdateFunc) error {
	var err error
	if s.dialect == SQLite {
		err = s.updateSQLite(ctx, key, fn)
	} else {
		err = s.updatePostgres(ctx, key, fn)
	}
	var fe fnError
	if errors.As(err, &fe) {
		return fe.err // fn's own error, returned as it is
	}
	if err != nil {
		return s.errorf("update", key, err)
	}
	return nil
}

// fnError carries an error returned by an UpdateFunc.
type fnError struct{ err error }

func (e fnError) Error() string { return e.err.Error() }
func (e fnError) Unwrap() error { return e.err }

// apply runs fn on the stored JSON b (nil when the key holds nothing) and
// returns the JSON to store, or nil to leave the entry as it is.
func apply(b []byte, fn store.UpdateFunc) ([]byte, error) {
	var cur *oauth2client.CredentialsState
	if b != nil {
		c, err := parse(b)
		if err != nil {
			return nil, err
		}
		cur = c
	}
	next, err := fn(cur)
	if err != nil {
		return nil, fnError{err}
	}
	if next == nil {
		return nil, nil
	}
	return marshal(next)
}

func marshal(c *oauth2client.CredentialsState) ([]byte, error) {
	if c == nil {
		return nil, errors.New("nil credentials")
	}
	return json.Marshal(c)
}

// parse reads stored credentials JSON.
func parse(b []byte) (*oauth2client.CredentialsState, error) {
	var c oauth2client.CredentialsState
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// updateSQLite runs the read-modify-write in one [Store.immediate]
// transaction, one write at a time in this process.
func (s *Store) updateSQLite(ctx context.Context, key string, fn store.UpdateFunc) error {
	select {
	case s.writeGate <- struct{}{}:
		defer func() { <-s.writeGate }()
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.immediate(ctx, func(conn *sql.Conn) error {
		var b []byte
		var version int64
		switch err := conn.QueryRowContext(ctx, s.qSelectForUpdate, key).Scan(&b, &version); {
		case errors.Is(err, sql.ErrNoRows):
			b = nil
		case err != nil:
			return err
		}
		next, err := apply(b, fn)
		if err != nil || next == nil {
			return err
		}
		_, err = conn.ExecContext(ctx, s.qSave, key, string(next), s.timestamp())
		return err
	})
}

// immediate runs fn on one SQLite connection between BEGIN IMMEDIATE and
// COMMIT, issued here so that it does not depend on how the *sql.DB was
// opened. When fn or COMMIT fails it rolls back, even when ctx has ended;
// a connection that cannot roll back is dropped from the pool, which ends
// the transaction.
func (s *Store) immediate(ctx context.Context, fn func(conn *sql.Conn) error) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	err = fn(conn)
	if err == nil {
		_, err = conn.ExecContext(ctx, "COMMIT")
	}
	if err != nil {
		if _, rerr := conn.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}
	return err
}

// updatePostgres locks the row with SELECT ... FOR UPDATE. A missing key
// has no row to lock, so it first inserts a placeholder row (ON CONFLICT DO
// NOTHING): a concurrent Update of the same key then waits on the unique
// index until this transaction ends, and afterwards finds the committed row
// or, after a rollback, inserts its own placeholder. The placeholder is
// never committed: either fn's result replaces it or the transaction rolls
// back.
func (s *Store) updatePostgres(ctx context.Context, key string, fn store.UpdateFunc) error {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var b []byte
	var version int64
	for attempt := 0; ; attempt++ {
		err := tx.QueryRowContext(ctx, s.qSelectForUpdate, key).Scan(&b, &version)
		if err == nil {
			break
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if attempt == 3 {
			// Only a row deleted between each insert and select gets here.
			return errors.New("could not lock the entry: it keeps being deleted")
		}
		if _, err := tx.ExecContext(ctx, s.qPlaceholder, key, s.timestamp()); err != nil {
			return err
		}
	}
	if version == 0 {
		b = nil // our own placeholder
	}
	next, err := apply(b, fn)
	if err != nil || next == nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.qUpdate, key, string(next), s.timestamp()); err != nil {
		return err
	}
	return tx.Commit()
}

// Close closes the database when [Options].CloseDB says the store owns it
// (sqlite.Open, postgres.Open); otherwise it leaves it open.
func (s *Store) Close() error {
	if !s.ownsDB {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return s.errorf("close", "", err)
	}
	return nil
}

// DB returns the database the store uses.
func (s *Store) DB() *sql.DB { return s.db }
