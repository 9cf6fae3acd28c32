package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/oauth2client/oauth2client/idtoken"
)

func init() {
	register(&command{
		name:    "verify-id-token",
		args:    "[flags] TOKEN",
		summary: "verify an OpenID Connect ID token and print its claims",
		help: `
Verify-id-token checks an ID token's signature against its issuer's keys
(Google's by default; another issuer's found by OpenID Connect Discovery
with --issuer), its issuer, its audience (--audience, required), its
expiry, issue and not-before times with a skew of 300 s, and its nonce
with --nonce. It prints the verified claims as JSON on stdout, or the
reason for the rejection on stderr and exits 1.

TOKEN "-" reads the token from standard input, which keeps it out of the
process list.`,
		examples: `
oauth2client verify-id-token --audience 1234.apps.googleusercontent.com - < id_token.txt
oauth2client verify-id-token --issuer http://127.0.0.1:8765 --audience my-client TOKEN`,
		run: runVerifyIDToken,
	})
}

// runVerifyIDToken is the verify-id-token command.
func runVerifyIDToken(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var aud scopeList // the same shape: repeatable, space-separated
	fs.Var(&aud, "audience", "an accepted `AUDIENCE` (client ID); repeat it or separate audiences with spaces")
	issuer := fs.String("issuer", idtoken.GoogleIssuer, "the token's `ISSUER`: Google's uses Google's keys, any other is found by OpenID Connect Discovery")
	nonce := fs.String("nonce", "", "require the token's nonce to be `NONCE`")
	var timeout netTimeout
	timeout.register(fs)
	if code, ok := e.parse(c, fs, args); !ok {
		return code
	}
	if err := timeout.check(); err != nil {
		return e.report(c, err)
	}
	if fs.NArg() != 1 {
		return e.usageError(c, "want one TOKEN argument (or - to read it from standard input), got %d", fs.NArg())
	}
	if len(aud) == 0 {
		return e.usageError(c, "--audience is required")
	}
	raw := fs.Arg(0)
	if raw == "-" {
		line, err := bufio.NewReader(io.LimitReader(e.stdin, idtoken.MaxTokenSize+2)).ReadString('\n')
		if err != nil && err != io.EOF {
			return e.fail(c, fmt.Errorf("reading the token from standard input: %w", err))
		}
		raw = strings.TrimSpace(line)
	}
	opts := &idtoken.Options{Issuer: *issuer, Audiences: aud, HTTPClient: timeout.httpClient()}
	var (
		v   *idtoken.Verifier
		err error
	)
	if idtoken.IsGoogleIssuer(*issuer) {
		v, err = idtoken.New(opts)
	} else {
		v, err = idtoken.NewFromDiscovery(ctx, *issuer, opts)
	}
	if err != nil {
		return e.fail(c, timeout.explain(err))
	}
	claims, err := v.Verify(ctx, raw, idtoken.WithNonce(*nonce))
	if err != nil {
		return e.fail(c, fmt.Errorf("rejected: %w", timeout.explain(err)))
	}
	m, err := claims.Map()
	if err != nil {
		return e.fail(c, err)
	}
	out, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stdout, "%s\n", out)
	return exitOK
}
