package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/oauth2client/oauth2client"
)

func init() {
	register(&command{
		name:    "token",
		args:    "[flags]",
		summary: "print a valid access token, refreshing and storing it as needed",
		help: `
Token prints a valid access token on stdout. When the stored token has
expired or is about to, it is refreshed through the credentials' token
endpoint and the new token is stored before it is printed; processes
sharing a store make one refresh between them.

--format bare prints the token alone, header prints an Authorization
header line, json prints {"access_token", "token_type", "expiry",
"scopes"} (never the refresh token).

With no credential flags, $GOOGLE_APPLICATION_CREDENTIALS, when set, names
the credentials (Application Default Credentials); otherwise the default
store is used, and when it is empty, Application Default Credentials: the
gcloud file application_default_credentials.json, then the GCE metadata
server ($GCE_METADATA_HOST; $NO_GCE_CHECK=true skips it).

--grant token-exchange exchanges the token in --subject-token-file
(RFC 8693) at the token endpoint of the client (--client-secrets, or
--issuer and --client-id) for a new token with --audience, --resource and
--scope, and prints it without storing it.
` + grantHelp + sourceHelp,
		examples: `
oauth2client token --client-secrets cs.json --scope openid
oauth2client token --store file:credentials.json
curl -H "$(oauth2client token --format header --store file:credentials.json)" URL
oauth2client token --credentials ~/.config/gcloud/application_default_credentials.json
oauth2client token --credentials sa.json --scope openid
oauth2client token --grant token-exchange --client-secrets cs.json --subject-token-file token.jwt --subject-token-type urn:ietf:params:oauth:token-type:jwt --audience api
GOOGLE_APPLICATION_CREDENTIALS=adc.json oauth2client token --scope openid
oauth2client token --grant client-credentials --issuer URL --client-id ID --client-secret-file secret.txt
oauth2client token --grant client-credentials --issuer URL --client-id ID --client-assertion-key key.pem`,
		run: runToken,
	})
	register(&command{
		name:    "header",
		args:    "[flags]",
		summary: "print an Authorization header line with a valid access token",
		help: `
Header prints "Authorization: Bearer TOKEN" with a valid access token on
stdout, refreshing as 'oauth2client token' does: the same as
'oauth2client token --format header'.
` + sourceHelp,
		examples: `
oauth2client header --client-secrets cs.json --scope openid
curl -H "$(oauth2client header --store file:credentials.json)" URL`,
		run: runToken,
	})
}

// tokenJSON is what token --format json prints.
type tokenJSON struct {
	AccessToken string   `json:"access_token"`
	TokenType   string   `json:"token_type"`
	Expiry      string   `json:"expiry,omitempty"`
	Scopes      []string `json:"scopes"`
	// Binding and X5tS256 name the TLS client certificate the token was
	// requested and is presented with (RFC 8705 §3), never its key.
	Binding string `json:"binding,omitempty"`
	X5tS256 string `json:"x5t#S256,omitempty"`
}

// runToken is the token and header commands.
func runToken(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	cf.registerImpersonation(fs)
	format := "header"
	var g grantFlags
	if c.name == "token" {
		fs.StringVar(&format, "format", "bare", "print the token as `FORMAT`: bare, header or json")
		g.register(fs)
	}
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	switch format {
	case "bare", "header", "json":
	default:
		return e.usageError(c, "--format %q: want bare, header or json", format)
	}
	if g.name == "" && g.x.used(fs) {
		return e.usageError(c, "--subject-token-file and the other token exchange flags need --grant token-exchange")
	}
	if err := g.check(&cf); err != nil {
		return e.report(c, err)
	} else if g.name != "" {
		return e.runGrant(ctx, c, &cf, &g, format)
	}
	cf.adc = true
	l, err := cf.load(ctx)
	if err != nil {
		return e.report(c, err)
	}
	defer l.Close()
	if err := cf.impersonated(l); err != nil {
		return e.report(c, err)
	}
	tok, err := l.tokens().Token(ctx)
	if err != nil {
		return e.fail(c, fmt.Errorf("%s: %w", l.from, cf.explain(err)))
	}
	return e.printToken(c, format, tok, l.scopes(), certBinding(l.tokens()))
}

// printToken prints tok on stdout in format.
// thumb is the x5t#S256 of the client certificate it is bound to, or "".
func (e *env) printToken(c *command, format string, tok *oauth2client.Token, scopes []string, thumb string) int {
	switch format {
	case "bare":
		fmt.Fprintln(e.stdout, tok.AccessToken)
	case "header":
		fmt.Fprintf(e.stdout, "Authorization: %s %s\n", tok.Type(), tok.AccessToken)
	case "json":
		out := tokenJSON{AccessToken: tok.AccessToken, TokenType: tok.Type(), Scopes: scopes}
		if thumb != "" {
			out.Binding, out.X5tS256 = "x5t#S256", thumb
		}
		if !tok.Expiry.IsZero() {
			out.Expiry = tok.Expiry.UTC().Format(time.RFC3339)
		}
		if out.Scopes == nil {
			out.Scopes = tok.Scopes
		}
		if out.Scopes == nil {
			out.Scopes = []string{}
		}
		b, err := json.MarshalIndent(out, "", "  ")
		if err != nil {
			return e.fail(c, err)
		}
		fmt.Fprintf(e.stdout, "%s\n", b)
	}
	return exitOK
}
