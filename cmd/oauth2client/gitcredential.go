package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
)

func init() {
	register(&command{
		name:    "git-credential",
		args:    "[flags] get|store|erase",
		summary: "a git credential helper: access tokens as git passwords",
		help: `
Git-credential speaks git's credential helper protocol (gitcredentials(7)):
git runs it with get, store or erase and a credential description on
stdin. Configure it, for the git server's URL only, with --host and the
flags of 'oauth2client login':

  git config --global credential.https://git.example.helper \
    '!oauth2client git-credential --host git.example --issuer https://issuer.example --client-id my-cli --scope "openid offline_access"'

get answers username (--username, unless git gave one), password (a
valid access token, refreshed and stored as 'oauth2client token' does) and
password_expiry_utc (its expiry, Unix seconds; git 2.41 and later use it).
It answers only for the hosts of --host (git's host attribute, with its
port if any), and only over https, or http to a loopback host: without
--host it answers nothing (--any-host hands the token to every https host
git asks about, which is rarely what you want). It never uses Application
Default Credentials, and refuses credentials bound to a DPoP key or a TLS
client certificate, whose tokens git cannot present.

When nothing valid is stored, it logs in first, as login does (the
browser, or --device; messages on stderr), but only when stderr is a
terminal and $GIT_TERMINAL_PROMPT is not 0: otherwise it answers nothing
and says on stderr to run 'oauth2client login'.

store does nothing: the credentials are in the store already. erase, which
git runs when the server refused the password, drops that access token
from the store (keeping the refresh token), so that the next get
refreshes.

The refresh token stays in the store; --share-refresh-token also hands it
to git as oauth_refresh_token, for a storage helper configured before this
one that keeps it (git 2.41 and later): only for a helper you trust to
keep it safe.
` + sourceHelp,
		examples: `
git config credential.https://git.example.helper '!oauth2client git-credential --host git.example --client-secrets cs.json --scope openid'
printf 'protocol=https\nhost=git.example\n\n' | oauth2client git-credential --host git.example --issuer URL --client-id ID --scope openid get
oauth2client git-credential --issuer URL --client-id ID --scope openid --host git.example --username oauth2 get`,
		run: runGitCredential,
	})
}

// gitFlags are git-credential's own flags.
type gitFlags struct {
	username     string
	hosts        multiFlag
	anyHost      bool
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
	fs.Var(&g.hosts, "host", "answer for `HOST` (git's host attribute, with its port if any); repeatable; without it (or --any-host) get answers nothing")
	fs.BoolVar(&g.anyHost, "any-host", false, "answer for every https host git asks about, handing the token to any server: rarely wanted, prefer --host")
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
		return e.gitGet(ctx, c, &cf, &g, req, fs, args)
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
// It never falls back to Application Default Credentials (cf.adc stays
// false): those are for Google's APIs, not for any git server.
func (e *env) gitGet(ctx context.Context, c *command, cf *credFlags, g *gitFlags, req gitRequest, fs *flag.FlagSet, args []string) int {
	if ok, why := gitHostAllowed(req, g.hosts, g.anyHost); !ok {
		fmt.Fprintf(e.stderr, "oauth2client %s: no answer: %s\n", c.name, why)
		return exitOK // no answer: git asks its other helpers, or the user
	}
	interactive, why := gitMayInteract(e.stderr)
	ge := &env{stdin: strings.NewReader(""), stdout: e.stdout, stderr: e.stderr} // stdin was git's request
	tok, _, err := ge.tokenOrLogin(ctx, cf, onDemandLogin{c: c, fs: fs, args: args, client: "git",
		interactive: interactive, notInteractive: why + "; run 'oauth2client login' with the same flags"})
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

// gitErase drops the stored access token when git says it was refused,
// keeping the refresh token: the next get refreshes. A dead refresh token
// is marked invalid by that refresh itself.
func (e *env) gitErase(ctx context.Context, c *command, cf *credFlags, g *gitFlags, req gitRequest) int {
	password := req.get("password")
	if ok, _ := gitHostAllowed(req, g.hosts, g.anyHost); !ok || password == "" || cf.credentials != "" {
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
	dropped := false
	err = t.store.Update(ctx, t.key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		if cur == nil || cur.Token == nil || cur.Token.AccessToken != password {
			return nil, nil // another token: a newer one, or another helper's
		}
		cur.Token = cur.Token.Clone()
		cur.Token.AccessToken, cur.Token.Expiry = "", time.Unix(1, 0).UTC()
		delete(cur.Token.Raw, "access_token")
		dropped = true
		return cur, nil
	})
	if err != nil {
		return e.fail(c, err)
	}
	if dropped {
		fmt.Fprintf(e.stderr, "oauth2client %s: %s refused the access token; dropped it from the store (store %s, key %s): the next use refreshes.\n",
			c.name, req.get("host"), t.spec, t.key)
	}
	return exitOK
}

// gitMayInteract reports whether get may start a login: only with
// stderr a terminal (background git, from an IDE or cron, must not open a
// browser) and $GIT_TERMINAL_PROMPT not 0. Otherwise it says why.
func gitMayInteract(stderr io.Writer) (bool, string) {
	if os.Getenv("GIT_TERMINAL_PROMPT") == "0" {
		return false, "$GIT_TERMINAL_PROMPT is 0"
	}
	if !stderrIsTerminal(stderr) {
		return false, "stderr is not a terminal"
	}
	return true, ""
}

// stderrIsTerminal is isTerminal; tests, which watch stderr through a
// pipe, replace it.
var stderrIsTerminal = isTerminal

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
