package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/tools"
)

// openURL opens a URL in the browser; tests replace it.
var openURL = tools.OpenBrowser

// endSession is logout --end-session: it finds the provider's end-session
// endpoint (discovery at --issuer, else at the "iss" of the stored ID
// token), revokes the credentials (or deletes them when there is no
// revocation endpoint), and prints or opens the RP-initiated logout URL
// with the ID token as id_token_hint.
func endSession(ctx context.Context, e *env, c *command, cf *credFlags, postLogout string, open bool) int {
	l, code, ok := e.loadUser(ctx, c, cf)
	if !ok {
		return code
	}
	defer l.Close()
	var hint string
	if tok := l.creds.CurrentToken(); tok != nil {
		hint = tok.IDToken
	}
	issuer := cf.issuer
	if issuer == "" {
		// From the store, which login filled from a verified exchange
		// when it could verify; Discover checks the document's issuer.
		issuer, _ = l.creds.UnverifiedIDTokenClaims()["iss"].(string)
	}
	if issuer == "" {
		return e.fail(c, fmt.Errorf("%s: no ID token names the issuer: give --issuer URL", l.from))
	}
	log, _ := cf.logger() // checked by load
	dctx, cancel := cf.step(ctx)
	ep, err := oauth2client.Discover(dctx, issuer, &oauth2client.DiscoverOptions{HTTPClient: cf.httpClient(), Logger: log})
	cancel()
	if err != nil {
		return e.fail(c, cf.explain(err))
	}
	u, err := ep.LogoutURL(oauth2client.LogoutOptions{
		IDTokenHint: hint, ClientID: l.creds.Config().ClientID, PostLogoutRedirectURL: postLogout,
	})
	if err != nil {
		return e.fail(c, fmt.Errorf("issuer %s: %w", issuer, err))
	}
	switch err := l.creds.Revoke(ctx); {
	case errors.Is(err, oauth2client.ErrNoEndpoint):
		if err := l.target.store.Delete(ctx, l.target.key); err != nil {
			return e.fail(c, err)
		}
		fmt.Fprintf(e.stderr, "Deleted the credentials (%s); they have no revocation endpoint.\n", l.from)
	case err != nil:
		return e.fail(c, fmt.Errorf("%s: %w", l.from, cf.explain(err)))
	default:
		fmt.Fprintf(e.stderr, "Revoked and deleted the credentials (%s).\n", l.from)
	}
	if open {
		if err := openURL(u); err != nil {
			return e.fail(c, fmt.Errorf("open the logout URL: %w", err))
		}
		fmt.Fprintln(e.stderr, "Opened the provider's logout page in the browser.")
		return exitOK
	}
	fmt.Fprintln(e.stderr, "Open this URL to end the session at the provider:")
	fmt.Fprintln(e.stdout, u)
	return exitOK
}
