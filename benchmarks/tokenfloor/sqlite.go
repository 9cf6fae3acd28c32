//go:build sqlite

package main

import (
	"context"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

func init() {
	openers["sqlite"] = func(ctx context.Context, path string) (store.Store, error) {
		return sqlite.Open(ctx, path, nil)
	}
}
