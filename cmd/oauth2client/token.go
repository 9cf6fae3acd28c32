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
"scopes"} (never the refresh token), and for sender-constrained tokens
"cnf", how they are bound (RFC 7800): {"jkt": the DPoP key's thumbprint}
(never the key).

With no credential flags, $GOOGLE_APPLICATION_CREDENTIALS, when set, names
the credentials (Application Default Credentials); otherwise the default
store is used, and when it is empty, Application Default Credentials: the
gcloud file application_default_credentials.json, then the GCE metadata
server ($GCE_METADATA_HOST; $NO_GCE_CHECK=true skips it).

--grant token-exchange exchanges the token in --subject-token-file
(RFC 8693) at the token endpoint of the client (--client-secrets, or
--issuer and --client-id) for a new token with --audience, --resource and
--scope, and prints it without storing it.
` + execCredentialHelp + grantHelp + sourceHelp,
		examples: `
oauth2client token --client-secrets cs.json --scope openid
oauth2client token --store file:credentials.json
curl -H "$(oauth2client token --format header --store file:credentials.json)" URL
oauth2client token --credentials ~/.config/gcloud/application_default_credentials.json
oauth2client token --credentials sa.json --scope openid
oauth2client token --grant token-exchange --client-secrets cs.json --subject-token-file token.jwt --subject-token-type urn:ietf:params:oauth:token-type:jwt --audience api
GOOGLE_APPLICATION_CREDENTIALS=adc.json oauth2client token --scope openid
oauth2client token --grant client-credentials --issuer URL --client-id ID --client-secret-file secret.txt
oauth2client token --grant client-credentials --issuer URL --client-id ID --client-assertion-key key.pem
oauth2client token --format exec-credential --issuer URL --client-id kubernetes --scope "openid offline_access"`,
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
	// Binding names what the token is bound to: "DPoP" (a proof by a key,
	// RFC 9449) or "x5t#S256" (a TLS client certificate, RFC 8705 §3);
	// empty for a bearer token.
	Binding string `json:"binding,omitempty"`
	// Cnf is the binding's confirmation (RFC 7800 §3.1): "jkt", the DPoP
	// key's thumbprint, or "x5t#S256", the certificate's. Never a key.
	Cnf map[string]string `json:"cnf,omitempty"`
}

// runToken is the token and header commands.
func runToken(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	var cf credFlags
	cf.register(fs)
	cf.registerImpersonation(fs)
	format := "header"
	var g grantFlags
	var od onDemand
	if c.name == "token" {
		fs.StringVar(&format, "format", "bare", "print the token as `FORMAT`: bare, header, json or exec-credential (a kubectl exec plugin's answer)")
		g.register(fs)
		od.register(fs, "with --format exec-credential")
	}
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	switch format {
	case "bare", "header", "json", "exec-credential":
	default:
		return e.usageError(c, "--format %q: want bare, header, json or exec-credential", format)
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
	if format == "exec-credential" {
		return e.runExecCredential(ctx, c, &cf, fs, args)
	}
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
	var cnf map[string]string
	if _, jkt := binding(l.creds); jkt != "" {
		cnf = map[string]string{"jkt": jkt}
	} else if thumb := certBinding(l.tokens()); thumb != "" {
		cnf = map[string]string{"x5t#S256": thumb}
	}
	return e.printBoundToken(c, format, tok, l.scopes(), cnf)
}

// printToken prints tok on stdout in format.
func (e *env) printToken(c *command, format string, tok *oauth2client.Token, scopes []string) int {
	return e.printBoundToken(c, format, tok, scopes, nil)
}

// printBoundToken prints tok, bound as cnf says (nil: a bearer token; see
// tokenJSON.Cnf), on stdout in format.
func (e *env) printBoundToken(c *command, format string, tok *oauth2client.Token, scopes []string, cnf map[string]string) int {
	switch format {
	case "exec-credential":
		return e.printExecCredential(c, tok)
	case "bare":
		fmt.Fprintln(e.stdout, tok.AccessToken)
	case "header":
		fmt.Fprintf(e.stdout, "Authorization: %s %s\n", tok.Type(), tok.AccessToken)
		if cnf["jkt"] != "" {
			fmt.Fprintln(e.stderr, "Note: the token is DPoP-bound: a request with it also needs a DPoP proof by its key, which 'oauth2client request' adds.")
		}
	case "json":
		out := tokenJSON{AccessToken: tok.AccessToken, TokenType: tok.Type(), Scopes: scopes, Cnf: cnf}
		switch {
		case cnf["jkt"] != "":
			out.Binding = "DPoP"
		case cnf["x5t#S256"] != "":
			out.Binding = "x5t#S256"
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
