package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/oauth2client/oauth2client/store"
)

func init() {
	register(&command{
		name:    "git-credential",
		args:    "[flags] get|store|erase",
		summary: "a git credential helper: access tokens as git passwords",
		help: `
Git-credential speaks git's credential helper protocol (gitcredentials(7)):
git runs it with get, store or erase and a credential description on
stdin. Configure it with the flags of 'oauth2client login' for a host:

  git config --global credential.https://git.example.helper \
    '!oauth2client git-credential --issuer https://issuer.example --client-id my-cli --scope "openid offline_access"'

get answers username (--username, unless git gave one), password (a
valid access token, refreshed and stored as 'oauth2client token' does) and
password_expiry_utc (its expiry, Unix seconds; git 2.41 and later use it).
When nothing valid is stored, it logs in first, as login does (the
browser, or --device; messages on stderr), unless $GIT_TERMINAL_PROMPT is
0: then it answers nothing and says why on stderr. It answers only for
https, or http to a loopback host, and, with --host, for those hosts.

store does nothing: the credentials are in the store already. erase, which
git runs when the server refused the password, deletes the stored
credentials whose access token is that password, so that the next get
logs in again.

The refresh token stays in the store; --share-refresh-token also hands it
to git as oauth_refresh_token, for a storage helper configured before this
one that keeps it (git 2.41 and later): only for a helper you trust to
keep it safe.
` + sourceHelp,
		examples: `
git config credential.helper '!oauth2client git-credential --client-secrets cs.json --scope openid'
printf 'protocol=https\nhost=git.example\n\n' | oauth2client git-credential --issuer URL --client-id ID --scope openid get
oauth2client git-credential --issuer URL --client-id ID --scope openid --host git.example --username oauth2 get`,
		run: runGitCredential,
	})
}

// gitFlags are git-credential's own flags.
type gitFlags struct {
	username     string
	hosts        multiFlag
	shareRefresh bool
	onDemand
}

// runGitCredential is the git-credential command.
func runGitCredential(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	var g gitFlags
	fs.StringVar(&g.username, "username", "oauth2", "the `NAME` get answers as the username, when git gave none")
	fs.Var(&g.hosts, "host", "answer only for `HOST` (git's host attribute, with its port if any); repeatable; default: any host")
	fs.BoolVar(&g.shareRefresh, "share-refresh-token", false, "also answer the refresh token (oauth_refresh_token), for a git storage helper you trust")
	g.onDemand.register(fs, "with get")
	if code, ok := e.parse(c, fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return e.usageError(c, "want one operation, get, store or erase, after the flags")
	}
	req, err := readGitRequest(e.stdin)
	if err != nil {
		return e.fail(c, err)
	}
	if err := cf.check(); err != nil {
		return e.report(c, err)
	}
	switch op := fs.Arg(0); op {
	case "get":
		return e.gitGet(ctx, c, &cf, &g, req, argsWithout(fs, args, "username", "host", "share-refresh-token"))
	case "store":
		return exitOK
	case "erase":
		return e.gitErase(ctx, c, &cf, &g, req)
	default:
		// git may add operations; a helper ignores those it does not know.
		return exitOK
	}
}

// gitGet answers git's get with a valid access token.
func (e *env) gitGet(ctx context.Context, c *command, cf *credFlags, g *gitFlags, req gitRequest, loginArgs []string) int {
	if ok, why := gitHostAllowed(req, g.hosts); !ok {
		fmt.Fprintf(e.stderr, "oauth2client %s: no answer: %s\n", c.name, why)
		return exitOK // git asks its other helpers, or the user
	}
	cf.adc = true
	interactive := os.Getenv("GIT_TERMINAL_PROMPT") != "0"
	ge := &env{stdin: strings.NewReader(""), stdout: e.stdout, stderr: e.stderr} // stdin was git's request
	tok, _, err := ge.tokenOrLogin(ctx, cf, loginArgs, interactive, "$GIT_TERMINAL_PROMPT is 0")
	if err != nil {
		return e.fail(c, err)
	}
	var attrs []gitAttr
	if req.get("username") == "" {
		attrs = append(attrs, gitAttr{"username", g.username})
	}
	attrs = append(attrs, gitAttr{"password", tok.AccessToken})
	if !tok.Expiry.IsZero() {
		attrs = append(attrs, gitAttr{"password_expiry_utc", strconv.FormatInt(tok.Expiry.Unix(), 10)})
	}
	if g.shareRefresh && tok.RefreshToken != "" {
		attrs = append(attrs, gitAttr{"oauth_refresh_token", tok.RefreshToken})
	}
	if err := writeGitAnswer(e.stdout, attrs); err != nil {
		return e.fail(c, err)
	}
	return exitOK
}

// gitErase deletes the stored credentials when git says their access
// token was refused.
func (e *env) gitErase(ctx context.Context, c *command, cf *credFlags, g *gitFlags, req gitRequest) int {
	password := req.get("password")
	if ok, _ := gitHostAllowed(req, g.hosts); !ok || password == "" || cf.credentials != "" {
		return exitOK // not a token of ours
	}
	t, err := cf.openTarget(ctx)
	if errors.Is(err, errEmptyStore) {
		return exitOK
	}
	if err != nil {
		return e.report(c, err)
	}
	defer t.Close()
	st, err := t.store.Load(ctx, t.key)
	if errors.Is(err, store.ErrNotFound) {
		return exitOK
	}
	if err != nil {
		return e.fail(c, err)
	}
	if st.Token == nil || st.Token.AccessToken != password {
		return exitOK // another token: a newer one, or another helper's
	}
	if err := t.store.Delete(ctx, t.key); err != nil && !errors.Is(err, store.ErrNotFound) {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stderr, "oauth2client %s: %s refused the access token; deleted the credentials (store %s, key %s): the next use logs in again.\n",
		c.name, req.get("host"), t.spec, t.key)
	return exitOK
}
