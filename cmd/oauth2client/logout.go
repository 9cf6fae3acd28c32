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
		summary: "delete stored credentials, or revoke them and end the provider's session",
		help: `
Logout deletes the credentials from the store, without telling the
authorization server: their refresh token stays valid there until it
expires or is revoked ('oauth2client revoke' does both).

With --end-session it revokes the credentials instead (deleting them when
there is no revocation endpoint) and prints the provider's RP-initiated
logout URL (OpenID Connect), with the ID token as id_token_hint, to end
the login session in the browser; --open opens it. The end_session_endpoint
comes from discovery at --issuer, else at the issuer of the stored ID
token.
` + sourceHelp,
		examples: `
oauth2client logout --client-secrets cs.json --scope openid
oauth2client logout --store file:credentials.json --key my-app
oauth2client logout --client-secrets cs.json --scope openid --end-session --open`,
		run: runLogout,
	})
}

// runLogout is the logout command.
func runLogout(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	end := fs.Bool("end-session", false, "revoke the credentials and print the provider's logout URL (OpenID Connect RP-initiated logout)")
	open := fs.Bool("open", false, "with --end-session, open the logout URL in the browser instead of printing it")
	postLogout := fs.String("post-logout-redirect-uri", "", "with --end-session, where the provider sends the browser after logging out: a `URI` registered for the client")
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	if cf.credentials != "" {
		return e.usageError(c, "--credentials: logout deletes a store entry; delete the file instead")
	}
	if !*end && (*open || *postLogout != "") {
		return e.usageError(c, "--open and --post-logout-redirect-uri need --end-session")
	}
	if *end {
		return endSession(ctx, e, c, &cf, *postLogout, *open)
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
