package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store/spec"
)

func init() {
	register(&command{
		name:    "list",
		args:    "[flags]",
		summary: "list the entries of a credential store (never their secrets)",
		help: `
List prints one line per entry of a credential store: its key, client id,
scopes, the expiry of its access token and its status: valid, expired
(refreshable), expired (no refresh token, log in again), invalid (revoked
or refused) or unreadable. It never prints tokens or secrets.

The default store is the file oauth2client/credentials.json in the user
config folder.`,
		examples: `
oauth2client list
oauth2client list --store file:credentials.json
oauth2client list --store sqlite:creds.db`,
		run: runList,
	})
}

// runList is the list command.
func runList(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	fs.StringVar(&cf.store, "store", "", "the credential store `SPEC`: file:PATH, keyring:SERVICE, sqlite:PATH or postgres://... (default: a file in the user config folder)")
	cf.netTimeout.register(fs)
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	if err := cf.netTimeout.check(); err != nil {
		return e.report(c, err)
	}
	ctx, cancel := cf.step(ctx)
	defer cancel()
	sp, err := cf.storeSpec()
	if err != nil {
		return e.report(c, err)
	}
	s, err := sp.Open(ctx, &spec.OpenOptions{MustExist: true})
	if errors.Is(err, iofs.ErrNotExist) {
		fmt.Fprintf(e.stderr, "Store %s holds no credentials.\n", sp)
		return exitOK
	}
	if err != nil {
		return e.fail(c, cf.explainStep(ctx, err))
	}
	defer s.Close()
	keys, err := s.List(ctx)
	if err != nil {
		return e.fail(c, cf.explainStep(ctx, err))
	}
	if len(keys) == 0 {
		fmt.Fprintf(e.stderr, "Store %s holds no credentials.\n", sp)
		return exitOK
	}
	rows := make([]listRow, 0, len(keys))
	for _, k := range keys {
		creds, err := s.Load(ctx, k)
		rows = append(rows, newListRow(k, creds, err, time.Now()))
	}
	writeList(e.stdout, rows)
	return exitOK
}

// listRow is one line of list.
type listRow struct{ key, client, scopes, expiry, status string }

// newListRow describes the entry key holding creds (or failing with err).
func newListRow(key string, creds *oauth2client.CredentialsState, err error, now time.Time) listRow {
	r := listRow{key: key, client: "-", scopes: "-", expiry: "-"}
	if err != nil {
		// Store errors name files and fields, never values.
		r.status = "unreadable: " + err.Error()
		return r
	}
	tok := creds.Token
	r.client = orDash(creds.ClientID)
	r.scopes = orDash(strings.Join(creds.EffectiveScopes(), " "))
	switch {
	case tok == nil || tok.AccessToken == "":
	case tok.Expiry.IsZero():
		r.expiry = "never"
	default:
		r.expiry = tok.Expiry.UTC().Format(time.RFC3339)
	}
	switch {
	case creds.Invalid:
		r.status = "invalid"
	case tok != nil && tok.Valid(now):
		r.status = "valid"
	case tok != nil && tok.RefreshToken != "":
		r.status = "expired (refreshable)"
	default:
		r.status = "expired (no refresh token)"
	}
	return r
}

// writeList writes rows as a table.
func writeList(w io.Writer, rows []listRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tCLIENT\tSCOPES\tEXPIRY\tSTATUS")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", oneLine(r.key), oneLine(r.client), oneLine(r.scopes), r.expiry, oneLine(r.status))
	}
	tw.Flush()
}

// orDash returns s, or "-" when it is empty.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps a value on one table cell: no tabs or line breaks.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
