package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/oauth2client/oauth2client"
)

func init() {
	register(&command{
		name:    "revoke",
		args:    "[flags]",
		summary: "revoke stored credentials at the server and delete them",
		help: `
Revoke revokes the credentials at the authorization server's revocation
endpoint (RFC 7009): the refresh token, which also ends its access tokens,
or the access token when there is no refresh token. It then deletes the
entry from the store. Credentials without a revocation endpoint are kept;
'oauth2client logout' deletes them without revoking.
` + sourceHelp,
		examples: `
oauth2client revoke --client-secrets cs.json --scope openid
oauth2client revoke --store file:credentials.json`,
		run: runRevoke,
	})
}

// runRevoke is the revoke command.
func runRevoke(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	l, code, ok := e.loadUser(ctx, c, &cf)
	if !ok {
		return code
	}
	defer l.Close()
	if err := l.creds.Revoke(ctx); err != nil {
		if errors.Is(err, oauth2client.ErrNoEndpoint) {
			return e.fail(c, fmt.Errorf("%s: the credentials have no revocation endpoint; 'oauth2client logout' deletes them without revoking", l.from))
		}
		return e.fail(c, fmt.Errorf("%s: %w", l.from, cf.explain(err)))
	}
	fmt.Fprintf(e.stderr, "Revoked and deleted the credentials (%s).\n", l.from)
	return exitOK
}
