package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
)

func init() {
	register(&command{
		name:    "info",
		args:    "[flags]",
		summary: "show what stored credentials hold: client, scopes, expiry, validity",
		help: `
Info shows stored credentials without their secrets: the client id, the
token endpoint, the scopes, the expiry and validity of the access token,
whether there is a refresh token, and how the tokens are bound
("binding": bearer, or DPoP with the key's thumbprint). When the credentials have an
introspection (RFC 7662) or token info endpoint, it also asks the server
which scopes the access token holds, refreshing the token first when it
has expired; --offline skips that. A public client authenticates to the
introspection endpoint as the discovery of the ID token's issuer lists
(introspection_endpoint_auth_methods_supported): as none, else with
client_secret_basic and an empty secret. When the server refuses only
that question, or lists no method a public client can use, info shows
what it knows, says why the server could not be asked, and exits 0. It
shows the ID token's subject and issuer, and whether it verifies now
(not --offline) against the keys of its issuer, found by discovery
(Google's for Google) when that issuer's token endpoint is the
credentials' own; an expired ID token does not.
` + sourceHelp,
		examples: `
oauth2client info --client-secrets cs.json --scope openid
oauth2client info --store file:credentials.json --offline`,
		run: runInfo,
	})
}

// runInfo is the info command.
func runInfo(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	offline := fs.Bool("offline", false, "do not ask the server which scopes the token holds")
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	l, code, ok := e.loadUser(ctx, c, &cf)
	if !ok {
		return code
	}
	defer l.Close()

	var granted []string
	var grantedErr error
	cfg := l.creds.Config()
	if !*offline && !l.creds.Invalid() && (cfg.IntrospectionURI != "" || cfg.TokenInfoURI != "") {
		if l.creds, grantedErr = cf.publicIntrospection(ctx, l.creds); grantedErr == nil {
			granted, grantedErr = l.creds.RetrieveScopes(ctx)
		}
	}
	var idLine string
	if l.creds.CurrentToken() != nil {
		if *offline {
			idLine = idTokenLine(l.creds)
		} else {
			idLine = verifyStored(ctx, l.creds, cf.httpClient(), nil)
		}
	}
	if grantedErr != nil && !errors.Is(grantedErr, oauth2client.ErrInactiveToken) {
		grantedErr = cf.explain(grantedErr)
		if !scopeCheckOnly(grantedErr) {
			writeInfo(e.stdout, l, time.Now(), nil, errCouldNotAsk, idLine)
			return e.fail(c, fmt.Errorf("asking the server for the token's scopes: %w", grantedErr))
		}
	}
	writeInfo(e.stdout, l, time.Now(), granted, grantedErr, idLine)
	return exitOK
}

// errCouldNotAsk stands for a failure that is reported apart.
var errCouldNotAsk = errors.New("see below")

// scopeCheckOnly reports whether err is the server refusing the
// server-side scope check itself (the introspection or token info endpoint
// answered with an error), not a failure of what came before it (a
// refresh) nor a server that did not answer (a timeout, which stays a
// failure naming --timeout): info then shows what it knows and succeeds.
func scopeCheckOnly(err error) bool {
	if _, ok := errors.AsType[*noPublicIntrospection](err); ok {
		return true
	}
	var oe *oauth2client.Error
	return errors.As(err, &oe) && oe.StatusCode != 0 &&
		(oe.Endpoint == "introspection" || oe.Endpoint == "tokeninfo")
}

// writeInfo writes what info shows.
// idLine, when not empty, describes the ID token.
func writeInfo(w io.Writer, l *loaded, now time.Time, granted []string, grantedErr error, idLine string) {
	cfg := l.creds.Config()
	tok := l.creds.CurrentToken()
	line := func(name, value string) { fmt.Fprintf(w, "%-15s %s\n", name+":", value) }
	line("source", l.from)
	line("client", cfg.ClientID)
	line("token endpoint", orNone(cfg.TokenURI))
	line("scopes", orNone(strings.Join(l.creds.Scopes(), " ")))
	if granted != nil || grantedErr != nil {
		switch {
		case errors.Is(grantedErr, oauth2client.ErrInactiveToken):
			line("server says", "the access token is not active")
		case errors.Is(grantedErr, errCouldNotAsk):
			line("server says", "(could not ask)")
		case grantedErr != nil:
			line("server says", "(could not ask: "+errorText(grantedErr)+")")
		default:
			line("server says", "scopes "+orNone(strings.Join(granted, " ")))
		}
	}
	line("expiry", expiryString(tok))
	line("status", status(l.creds, tok, now))
	refresh := "no"
	if tok != nil && tok.RefreshToken != "" {
		refresh = "yes"
	}
	line("refresh token", refresh)
	if kind, jkt := binding(l.creds); kind != "" {
		line("binding", kind+" (key thumbprint "+jkt+", stored with the credentials)")
	} else if thumb := certBinding(l.tokens()); thumb != "" {
		line("binding", "TLS client certificate (x5t#S256 "+thumb+")")
	} else {
		line("binding", "bearer")
	}
	if idLine != "" {
		line("id token", idLine)
	}
}

// orNone returns s, or "(none)" when it is empty.
func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// expiryString is a token's expiry for people.
func expiryString(tok *oauth2client.Token) string {
	switch {
	case tok == nil || tok.AccessToken == "":
		return "(no access token)"
	case tok.Expiry.IsZero():
		return "never"
	}
	return tok.Expiry.UTC().Format(time.RFC3339)
}

// status is the validity of credentials at now: "valid", "expired"
// (refreshable or not) or "invalid".
func status(c *oauth2client.Credentials, tok *oauth2client.Token, now time.Time) string {
	switch {
	case c.Invalid():
		return "invalid (revoked or refused: log in again)"
	case tok != nil && tok.Valid(now):
		return "valid"
	case tok != nil && tok.RefreshToken != "":
		return "expired (will refresh)"
	}
	return "expired (no refresh token: log in again)"
}
