package sqlstore

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// OpenPostgres connects to the PostgreSQL database dsn names (a URL such
// as postgres://user:password@host:5432/db or a key=value string, as
// github.com/jackc/pgx/v5 parses them) and returns a store on it. Error
// messages name the host, port and database, never the password. Close
// closes the connections. opts may be nil.
func OpenPostgres(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	var o Options
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
	db := stdlib.OpenDB(*cfg)
	s, err := newStore(ctx, db, true, Postgres, o)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}
