package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/oauth2client/oauth2client/store"
)

func init() {
	register(&command{
		name:    "logout",
		args:    "[flags]",
		summary: "delete stored credentials without revoking them",
		help: `
Logout deletes the credentials from the store, without telling the
authorization server: their refresh token stays valid there until it
expires or is revoked ('oauth2client revoke' does both).
` + sourceHelp,
		examples: `
oauth2client logout --client-secrets cs.json --scope openid
oauth2client logout --store file:credentials.json --key my-app`,
		run: runLogout,
	})
}

// runLogout is the logout command.
func runLogout(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	if cf.credentials != "" {
		return e.usageError(c, "--credentials: logout deletes a store entry; delete the file instead")
	}
	if err := cf.check(); err != nil {
		return e.report(c, err)
	}
	t, err := cf.openTarget(ctx)
	if err != nil {
		return e.report(c, err)
	}
	defer t.Close()
	if _, err := t.store.Load(ctx, t.key); errors.Is(err, store.ErrNotFound) {
		return e.fail(c, fmt.Errorf("no credentials in store %s under key %s", t.spec, t.key))
	}
	// A corrupt entry may be deleted: that is a way out of it.
	if err := t.store.Delete(ctx, t.key); err != nil {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stderr, "Deleted the credentials (store %s, key %s).\n", t.spec, t.key)
	return exitOK
}
