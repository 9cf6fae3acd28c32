package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
)

// querier is what *sql.Conn and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// migrate creates the table, or brings an older layout up to date. The
// layout's version is kept in the table Table+"_schema". Opening a store
// whose layout is current only reads that version; otherwise the change
// runs in a transaction holding a lock all openers take (SQLite's write
// lock, or a PostgreSQL advisory lock), so concurrent opens wait for one
// another and the second finds the work done.
func (s *Store) migrate(ctx context.Context) error {
	v, err := s.readSchemaVersion(ctx, s.db)
	if err == nil && v == schemaVersion {
		return nil
	}
	if err == nil && v > schemaVersion {
		err = s.newerSchema(v)
	} else {
		err = s.withWriteLock(ctx, s.migrateLocked)
	}
	if err != nil {
		return s.errorf("creating or migrating table "+s.table, "", err)
	}
	return nil
}

func (s *Store) newerSchema(v int) error {
	return fmt.Errorf("layout version %d is newer than this package knows (%d)", v, schemaVersion)
}

// readSchemaVersion returns the recorded layout version: 0 when none is
// recorded, an error when the schema table is missing.
func (s *Store) readSchemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT version FROM `+s.quote(s.table+"_schema")).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return v, err
}

// withWriteLock runs fn in a transaction that excludes every other
// migration of the same table.
func (s *Store) withWriteLock(ctx context.Context, fn func(context.Context, querier) error) error {
	if s.dialect == Postgres {
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		h := fnv.New64a()
		h.Write([]byte("oauth2client/store/sqlstore schema " + s.table))
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(h.Sum64())); err != nil {
			return err
		}
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	}
	return s.immediate(ctx, func(conn *sql.Conn) error { return fn(ctx, conn) })
}

// migrateLocked runs the layout changes from the recorded version to
// schemaVersion.
func (s *Store) migrateLocked(ctx context.Context, q querier) error {
	schema := s.quote(s.table + "_schema")
	if _, err := q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+schema+` (version INTEGER NOT NULL)`); err != nil {
		return err
	}
	v, err := s.readSchemaVersion(ctx, q)
	if err != nil {
		return err
	}
	if v > schemaVersion {
		return s.newerSchema(v)
	}
	if v == schemaVersion {
		return nil // another opener did it while we waited
	}
	if v < 1 {
		if err := s.migrateTo1(ctx, q); err != nil {
			return err
		}
	}
	if v < 2 {
		if err := s.migrateTo2(ctx, q); err != nil {
			return err
		}
	}
	// Future layouts add steps here: if v < 3 { ... }.
	if v == 0 {
		_, err = q.ExecContext(ctx, `DELETE FROM `+schema)
		if err == nil {
			_, err = q.ExecContext(ctx, `INSERT INTO `+schema+` (version) VALUES (`+s.ph(1)+`)`, schemaVersion)
		}
	} else {
		_, err = q.ExecContext(ctx, `UPDATE `+schema+` SET version = `+s.ph(1), schemaVersion)
	}
	return err
}

// migrateTo1 creates the table, or completes a table that holds only the
// key and credential columns (made by hand or by a layout before version
// 1): it adds version and updated_at and a unique index on key.
func (s *Store) migrateTo1(ctx context.Context, q querier) error {
	t := s.quote(s.table)
	timeType, epoch := "TEXT", `'1970-01-01T00:00:00Z'`
	if s.dialect == Postgres {
		timeType, epoch = "TIMESTAMPTZ", `'1970-01-01T00:00:00Z'::timestamptz`
	}
	cols, err := s.columns(ctx, q)
	if err != nil {
		return err
	}
	if len(cols) == 0 {
		_, err := q.ExecContext(ctx, `CREATE TABLE `+t+` (
			"key" TEXT PRIMARY KEY,
			credential TEXT NOT NULL,
			version INTEGER NOT NULL DEFAULT 1,
			updated_at `+timeType+` NOT NULL DEFAULT `+epoch+`
		)`)
		return err
	}
	for _, c := range []string{"key", "credential"} {
		if !cols[c] {
			return fmt.Errorf("table %s exists without a %s column", s.table, c)
		}
	}
	if !cols["version"] {
		if _, err := q.ExecContext(ctx, `ALTER TABLE `+t+` ADD COLUMN version INTEGER NOT NULL DEFAULT 1`); err != nil {
			return err
		}
	}
	if !cols["updated_at"] {
		if _, err := q.ExecContext(ctx, `ALTER TABLE `+t+` ADD COLUMN updated_at `+timeType+` NOT NULL DEFAULT `+epoch); err != nil {
			return err
		}
	}
	// ON CONFLICT ("key") needs a unique index, which a table made by hand
	// may lack; a second one on a primary key costs little.
	_, err = q.ExecContext(ctx, `CREATE UNIQUE INDEX IF NOT EXISTS `+s.quote(s.table+"_key")+` ON `+t+` ("key")`)
	return err
}

// migrateTo2 creates the table of refresh leases (see [Store.LockRefresh]).
func (s *Store) migrateTo2(ctx context.Context, q querier) error {
	_, err := q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+s.quote(s.table+"_lease")+` (
		"key" TEXT PRIMARY KEY,
		lease_owner TEXT NOT NULL,
		lease_until BIGINT NOT NULL
	)`)
	return err
}

// columns returns the names of the table's columns.
func (s *Store) columns(ctx context.Context, q querier) (map[string]bool, error) {
	query := `SELECT name FROM pragma_table_info(?1)`
	if s.dialect == Postgres {
		query = `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1`
	}
	rows, err := q.QueryContext(ctx, query, s.table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		cols[n] = true
	}
	return cols, rows.Err()
}
