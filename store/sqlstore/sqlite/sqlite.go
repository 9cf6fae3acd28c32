// Package sqlite opens a credential store ([sqlstore.Store]) in an SQLite
// database file through modernc.org/sqlite (pure Go, no cgo): the
// embedded default, for one machine.
//
// It is a package of its own so that programs link the SQLite engine only
// when they use it: a program that keeps credentials in PostgreSQL
// (package postgres beside this one) or in files does not carry it.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	moderncsqlite "modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/oauth2client/oauth2client/store/sqlstore"
)

// Open opens, or creates with mode 0600, the SQLite database at path
// through modernc.org/sqlite (pure Go, no cgo) and returns a store on it.
// The database is put in WAL mode, so readers never wait for a writer, and
// every connection waits up to opts.BusyTimeout for another's lock. SQLite
// gives the -wal and -shm files the database file's mode. Close closes the
// database. opts may be nil.
//
// A symbolic link at path or at its -wal, -shm or -journal file is refused
// ([ErrSymlink]), and so is an existing database that other users may read
// ([ErrReadable]) unless opts.InsecureAllowReadableDatabase is set. On
// Unix, a folder that other users may write without the sticky bit, or
// that belongs to another user than this one or root, is refused too
// (SQLite creates files in it). The errors name the file or folder.
//
// Processes on one machine may share the file; SQLite's locks do not work
// on network file systems, so use PostgreSQL for replicas on several
// machines.
func Open(ctx context.Context, path string, opts *sqlstore.Options) (*sqlstore.Store, error) {
	var o sqlstore.Options
	if opts != nil {
		o = *opts
	}
	o.Name = "sqlite:" + path
	o.CloseDB = true
	if path == "" {
		return nil, errors.New("sqlstore: sqlite.Open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", o.Name, err)
	}
	if err := prepareSQLitePath(abs, o.Name, o.InsecureAllowReadableDatabase); err != nil {
		return nil, err
	}
	busy := o.BusyTimeout
	if busy <= 0 {
		busy = 30 * time.Second
	}
	db, err := sql.Open("sqlite", sqliteDSN(abs, busy))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %s: %w", o.Name, err)
	}
	if err := useWAL(ctx, db, busy); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: %s: %w", o.Name, err)
	}
	s, err := sqlstore.New(ctx, db, sqlstore.SQLite, &o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// useWAL puts the database in WAL mode unless it is already. The mode is
// kept in the database file, so every connection, of this process or
// another, uses it once it is set; asking each new connection to set it
// (a "_pragma" of the DSN) would make every open pay for a statement that
// changes nothing (0.14 ms of each 'oauth2client token', scripts/bench-cli.sh).
//
// The switch needs the database's write lock, and SQLite does not wait
// for it through the busy handler (it fails at once with SQLITE_BUSY when
// another connection writes, or opens the same new database), so useWAL
// tries again until busy has passed or ctx ends, as every other operation
// waits. A database SQLite cannot put in WAL mode (a file system without
// shared memory) stays in its mode, as it did when the DSN asked for WAL.
func useWAL(ctx context.Context, db *sql.DB, busy time.Duration) error {
	deadline := time.Now().Add(busy)
	pause := time.Millisecond
	for {
		var mode string
		err := db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if err == nil && strings.EqualFold(mode, "wal") {
			return nil
		}
		if err == nil {
			if err = db.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err == nil {
				return nil
			}
		}
		if !isBusy(err) || time.Now().Add(pause).After(deadline) {
			return fmt.Errorf("setting WAL mode: %w", err)
		}
		t := time.NewTimer(pause)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("setting WAL mode: %w (waiting for another connection's lock: %v)", ctx.Err(), err)
		case <-t.C:
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// isBusy reports whether err is SQLite's SQLITE_BUSY (or one of its
// extended codes): another connection holds the lock.
func isBusy(err error) bool {
	var e *moderncsqlite.Error
	return errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_BUSY
}

// sqliteDSN returns a modernc.org/sqlite DSN for the absolute path: an
// SQLite URI, so that any byte of the path survives, with the busy timeout
// every pooled connection sets when it opens (the journal mode is set once,
// by useWAL).
func sqliteDSN(abs string, busy time.Duration) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter: file:///C:/...
	}
	u := url.URL{Scheme: "file", Path: p}
	q := url.Values{"_pragma": {
		fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()),
	}, "mode": {"rw"}} // Open created the file: SQLite never does
	return u.String() + "?" + q.Encode()
}
