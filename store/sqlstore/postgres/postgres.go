// Package postgres opens a credential store ([sqlstore.Store]) in a
// PostgreSQL database through github.com/jackc/pgx/v5: for many app
// replicas on many machines.
//
// It is a package of its own so that programs link the PostgreSQL driver
// only when they use it: a program that keeps credentials in SQLite
// (package sqlite beside this one) or in files does not carry it.
package postgres

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/oauth2client/oauth2client/store/sqlstore"
)

// Open connects to the PostgreSQL database dsn names (a URL such
// as postgres://user:password@host:5432/db or a key=value string, as
// github.com/jackc/pgx/v5 parses them) and returns a store on it. Error
// messages name the host, port and database, never the password. Close
// closes the connections. opts may be nil.
func Open(ctx context.Context, dsn string, opts *sqlstore.Options) (*sqlstore.Store, error) {
	var o sqlstore.Options
	if opts != nil {
		o = *opts
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx removes passwords from the DSN it quotes.
		return nil, fmt.Errorf("sqlstore: postgres: %w", err)
	}
	o.Name = "postgres://" + cfg.Host
	if cfg.Port != 0 {
		o.Name += ":" + strconv.Itoa(int(cfg.Port))
	}
	o.Name += "/" + cfg.Database
	o.CloseDB = true
	db := stdlib.OpenDB(*cfg)
	s, err := sqlstore.New(ctx, db, sqlstore.Postgres, &o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
