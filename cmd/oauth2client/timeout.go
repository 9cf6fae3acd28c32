package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store/spec"
)

// defaultTimeout is the default of --timeout: how long one network step
// (a discovery fetch, a token, revocation or introspection request, the
// request command's HTTP exchange, connecting to a PostgreSQL store) may
// take.
const defaultTimeout = 30 * time.Second

// timeoutHelp is the usage of --timeout.
const timeoutHelp = "give up on each network request (discovery, token, revocation, introspection, the HTTP request, a PostgreSQL connection) after `DURATION`; a token request that fails on the network or with 5xx/429 is tried up to 3 times; 0 waits forever"

// netTimeout is the --timeout flag.
type netTimeout struct{ d time.Duration }

// register adds --timeout to fs.
func (t *netTimeout) register(fs *flag.FlagSet) {
	fs.DurationVar(&t.d, "timeout", defaultTimeout, timeoutHelp)
}

// check rejects a negative --timeout.
func (t *netTimeout) check() error {
	if t.d < 0 {
		return usagef("--timeout must not be negative, not %v", t.d)
	}
	return nil
}

// httpClient returns the client for the library's requests (HTTPClient
// fields) and the request command: every exchange, its response body
// included, ends after --timeout. For 0 it is a client without an overall
// limit (the library's default client would stop after
// oauth2client.DefaultRequestTimeout).
func (t *netTimeout) httpClient() *http.Client {
	return &http.Client{Timeout: t.d}
}

// cache returns the cache settings of a command's credentials: a stale
// token is refreshed in the foreground, since the process exits right
// after, and a refresh (up to three tries, each bounded by --timeout, and
// their backoff) has no limit of its own beyond those tries for 0, or
// room for three tries.
func (t *netTimeout) cache() oauth2client.CacheOptions {
	limit := time.Duration(-1)
	if t.d > 0 {
		limit = 3*t.d + 5*time.Second
	}
	return oauth2client.CacheOptions{Foreground: true, RefreshTimeout: limit}
}

// step returns ctx bounded by --timeout, for a store operation that may
// talk to a server (PostgreSQL).
func (t *netTimeout) step(ctx context.Context) (context.Context, context.CancelFunc) {
	if t.d == 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, t.d)
}

// storeStep is step for an operation on the store sp. File and SQLite
// stores talk to no server and bound their waits themselves (the file
// lock's file.DefaultLockTimeout, SQLite's busy timeout), so they get no
// --timeout timer. A file store waits on ctx only when it has to wait; an
// SQLite store (database/sql) asks every context for its Done channel, so
// it gets ctx unwatched (see unwatched).
func (t *netTimeout) storeStep(ctx context.Context, sp spec.Spec) (context.Context, context.CancelFunc) {
	switch sp.Kind {
	case spec.File:
		return ctx, func() {}
	case spec.SQLite:
		return unwatched(ctx), func() {}
	}
	return t.step(ctx)
}

// hint says which flag bounded a wait.
const hint = "a larger --timeout waits longer, 0 waits forever"

// isTimeout reports whether err is an HTTP exchange that --timeout ended
// (net/http's Client.Timeout error), not a context deadline of another
// wait, such as login's --wait-timeout.
func isTimeout(err error) bool {
	ne, ok := errors.AsType[net.Error](err)
	return ok && ne.Timeout() && error(ne) != context.DeadlineExceeded
}

// explain adds to the error of an HTTP exchange that --timeout ended how
// long was waited and which flag changes it; the error already says what
// was waited for (the endpoint). Other errors are returned as they are.
func (t *netTimeout) explain(err error) error {
	if !isTimeout(err) {
		return err
	}
	return fmt.Errorf("%w (no answer within --timeout %v; %s)", err, t.d, hint)
}

// explainStep is explain for the error of a step bounded by ctx from step.
func (t *netTimeout) explainStep(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("%w (the store did not answer within --timeout %v; %s)", err, t.d, hint)
	}
	return t.explain(err)
}

// explainWait adds to login's error that the wait for the redirect or the
// pasted answer ended at --wait-timeout, and how to wait longer; the error
// already says what was waited for. Other errors are returned as they are.
func explainWait(ctx context.Context, err error) error {
	if ctx.Err() != nil || !errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		return err
	}
	return fmt.Errorf("%w (--wait-timeout ended the wait; a larger --wait-timeout waits longer)", err)
}
