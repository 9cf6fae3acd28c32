package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
)

// errLoginFirst ends the message of a store entry that holds nothing.
var errLoginFirst = errors.New("run 'oauth2client login' with the same --client-secrets or --client-id and --scope flags first")

// onDemand are the flags of a login made on demand by a command that
// helps another program (kubectl, git) to a token: --device and
// --no-browser, as login takes them.
type onDemand struct {
	device, noBrowser bool
}

// register adds the flags to fs; what names the command's purpose.
func (o *onDemand) register(fs *flag.FlagSet, what string) {
	fs.BoolVar(&o.device, "device", false, what+", when a login is needed: use the device flow (RFC 8628), printing the code on stderr")
	fs.BoolVar(&o.noBrowser, "no-browser", false, what+", when a login is needed: print the authorization URL on stderr instead of opening a browser")
}

// needsLogin reports whether err means that no valid credentials are
// stored for the flags: none at all, or ones that can no longer be
// refreshed. Network failures and wrong flags are not that.
func needsLogin(err error) bool {
	return errors.Is(err, errEmptyStore) || errors.Is(err, errLoginFirst) ||
		errors.Is(err, oauth2client.ErrInvalidGrant) || errors.Is(err, oauth2client.ErrInvalidCredentials) ||
		errors.Is(err, oauth2client.ErrCannotRefresh)
}

// loginCannotFix wraps the failed refresh of credentials that a login
// does not replace: a service account's, --credentials FILE's or
// Application Default Credentials'. Its text is the error's.
type loginCannotFix struct{ error }

// Unwrap returns the error.
func (e loginCannotFix) Unwrap() error { return e.error }

// boundTokens returns an error when l's tokens are bound to a DPoP key or
// a TLS client certificate: client (git, kubectl) sends them as plain
// bearer tokens and cannot present the proof the server asks for.
func boundTokens(l *loaded, client string) error {
	switch {
	case certBinding(l.tokens()) != "":
		return fmt.Errorf("%s: the credentials are bound to a TLS client certificate (RFC 8705): %s cannot present it with their tokens; 'oauth2client request' can", l.from, client)
	default:
		if kind, _ := binding(l.creds); kind != "" {
			return fmt.Errorf("%s: the credentials are bound to a DPoP key (RFC 9449): %s cannot present the proof their tokens need; 'oauth2client request' can, or log in without --dpop", l.from, client)
		}
	}
	return nil
}

// currentToken returns a valid bearer token for the credentials cf names,
// with their scopes, refreshing and storing as the token command does;
// client names the program that will send it, for errors.
func currentToken(ctx context.Context, cf *credFlags, client string) (*oauth2client.Token, []string, error) {
	l, err := cf.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	if err := cf.impersonated(l); err != nil {
		return nil, nil, err
	}
	if err := boundTokens(l, client); err != nil {
		return nil, nil, err
	}
	tok, err := l.tokens().Token(ctx)
	if err != nil {
		err = fmt.Errorf("%s: %w", l.from, cf.explain(err))
		if l.target == nil || cf.credentials != "" {
			err = loginCannotFix{err}
		}
		return nil, nil, err
	}
	return tok, l.scopes(), nil
}

// onDemandLogin is what tokenOrLogin needs to know of the command the
// user typed (c, its parsed flags fs from args) and of the program that
// runs it (client, e.g. "git"): whether it may interact, and if not,
// why, for people.
type onDemandLogin struct {
	c              *command
	fs             *flag.FlagSet
	args           []string
	client         string
	interactive    bool
	notInteractive string
}

// tokenOrLogin is currentToken, which, when no valid credentials are
// stored and o.interactive allows it, first runs login with the flags of
// o.args that login defines (login's messages, and anything it would
// print on stdout, go to stderr: stdout is the calling program's). When
// no login may be made the error ends with o.notInteractive.
func (e *env) tokenOrLogin(ctx context.Context, cf *credFlags, o onDemandLogin) (*oauth2client.Token, []string, error) {
	tok, scopes, err := currentToken(ctx, cf, o.client)
	if err == nil || !needsLogin(err) || errors.As(err, new(loginCannotFix)) {
		return tok, scopes, err
	}
	if !o.interactive {
		return nil, nil, fmt.Errorf("%w (no login attempted: %s)", err, o.notInteractive)
	}
	fmt.Fprintf(e.stderr, "oauth2client %s: no valid credentials (%s): logging in.\n", o.c.name, errorText(err))
	login := *lookup("login")
	login.name = o.c.name // its messages name the command the user typed
	le := &env{stdin: e.stdin, stdout: e.stderr, stderr: e.stderr}
	loginArgs := argsWithout(o.fs, o.args, onlyIn(o.fs, flagsOf(ctx, lookup("login")))...)
	if code := login.run(ctx, le, &login, loginArgs); code != exitOK {
		return nil, nil, errors.New("the login failed (see above)")
	}
	return currentToken(ctx, cf, o.client)
}

// flagsOf returns the flag set command c defines, without running it.
func flagsOf(ctx context.Context, c *command) *flag.FlagSet {
	var fs *flag.FlagSet
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, flagsOnly: func(f *flag.FlagSet) { fs = f }}
	c.run(ctx, e, c, nil)
	return fs
}

// onlyIn returns the names of the flags of fs that other does not define.
func onlyIn(fs, other *flag.FlagSet) []string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) {
		if other == nil || other.Lookup(f.Name) == nil {
			names = append(names, f.Name)
		}
	})
	return names
}

// argsWithout returns the flags of args (parsed with fs; positional
// arguments after them are dropped) without the flags named in drop, so
// that another command (login) can take them again.
func argsWithout(fs *flag.FlagSet, args []string, drop ...string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || !strings.HasPrefix(a, "-") || a == "-" {
			break
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		n := 1
		if f := fs.Lookup(name); f != nil && !hasValue && !isBoolFlag(f) && i+1 < len(args) {
			n = 2 // the value is the next argument
		}
		if !slices.Contains(drop, name) {
			out = append(out, args[i:i+n]...)
		}
		i += n - 1
	}
	return out
}

// isBoolFlag reports whether f takes no value argument.
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}
