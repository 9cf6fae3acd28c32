package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
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

// currentToken returns a valid token for the credentials cf names, with
// their scopes, refreshing and storing as the token command does.
func currentToken(ctx context.Context, cf *credFlags) (*oauth2client.Token, []string, error) {
	l, err := cf.load(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer l.Close()
	if err := cf.impersonated(l); err != nil {
		return nil, nil, err
	}
	tok, err := l.tokens().Token(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", l.from, cf.explain(err))
	}
	return tok, l.scopes(), nil
}

// tokenOrLogin is currentToken, which, when no valid credentials are
// stored and interactive allows it, first runs login with loginArgs
// (login's messages, and anything it would print on stdout, go to stderr:
// stdout is the calling program's). notInteractive says, for people, why
// no login may be made: the error ends with it.
func (e *env) tokenOrLogin(ctx context.Context, cf *credFlags, loginArgs []string, interactive bool, notInteractive string) (*oauth2client.Token, []string, error) {
	tok, scopes, err := currentToken(ctx, cf)
	if err == nil || !needsLogin(err) {
		return tok, scopes, err
	}
	if !interactive {
		return nil, nil, fmt.Errorf("%w (no login attempted: %s)", err, notInteractive)
	}
	fmt.Fprintf(e.stderr, "oauth2client: no valid credentials (%s): logging in.\n", errorText(err))
	login := lookup("login")
	le := &env{stdin: e.stdin, stdout: e.stderr, stderr: e.stderr}
	if code := login.run(ctx, le, login, loginArgs); code != exitOK {
		return nil, nil, errors.New("the login failed (see above)")
	}
	return currentToken(ctx, cf)
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
