package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net"

	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Client ids registered by serve.
const (
	serveClientID = "oauth2test-client" // confidential, with --client-secrets-out
	servePublicID = "oauth2test-public" // public, always
	// serveServiceAccount is the service account of --service-account-out.
	serveServiceAccount = "robot@" + oauth2test.ServiceAccountProject + ".iam.gserviceaccount.com"
)

func init() {
	register(&command{
		name:    "serve",
		args:    "[flags]",
		summary: "run a local authorization server (oauth2test) for tests and development",
		help: `
Serve runs oauth2test, an in-memory OAuth 2.0 authorization server and
OpenID Provider for tests and development, on a loopback address until
interrupted. It prints its issuer URL on stdout; discovery is at
ISSUER/.well-known/openid-configuration and Prometheus metrics at
ISSUER/metrics.

Any user name is accepted on the consent page, without a password. A public
client "oauth2test-public" (PKCE, any loopback redirect) is always
registered. With --client-secrets-out, a confidential client
"oauth2test-client" with a random secret is registered too, and its
client_secrets.json is written to FILE (mode 0600; a symbolic link at FILE
is refused, never followed). With --service-account-out, a service
account is registered and its JSON key file is written to FILE the same
way; 'oauth2client token --credentials FILE' then gets tokens with the
JWT-bearer grant (RFC 7523). The token exchange grant (RFC 8693) trades a
live access token of the server for one of the same user with the asked
audience and a subset of its scopes ('oauth2client token --grant
token-exchange').

Serve refuses to listen on anything but a loopback address.`,
		examples: `
oauth2client serve
oauth2client serve --auto-approve --client-secrets-out cs.json
oauth2client serve --service-account-out sa.json
oauth2client serve --addr 127.0.0.1:0 --token-ttl 30s --rotate-refresh-tokens
oauth2client serve --metadata`,
		run: runServe,
	})
}

// runServe is the serve command.
func runServe(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	addr := fs.String("addr", "127.0.0.1:8765", "listen on `ADDR`, a loopback host:port (port 0 picks a free one)")
	autoApprove := fs.Bool("auto-approve", false, "approve every authorization request without showing the consent page")
	ttl := fs.Duration("token-ttl", oauth2test.DefaultTokenTTL, "lifetime of access and ID tokens, e.g. 30s or 1h")
	rotate := fs.Bool("rotate-refresh-tokens", false, "issue a new refresh token on every refresh and invalidate the old one")
	secretsOut := fs.String("client-secrets-out", "", "register a confidential client and write its client_secrets.json to `FILE`")
	saOut := fs.String("service-account-out", "", "register a service account and write its JSON key file to `FILE`")
	metadata := fs.Bool("metadata", false, "also serve a GCE metadata server emulation; clients reach it with GCE_METADATA_HOST=HOST:PORT (the IAM Credentials API emulation is always served)")
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	if err := oauth2test.CheckLoopbackAddr(*addr); err != nil {
		return e.usageError(c, "--addr: %v", err)
	}
	if *ttl <= 0 {
		return e.usageError(c, "--token-ttl must be positive, not %v", *ttl)
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		return e.fail(c, fmt.Errorf("listen on %s: %w", *addr, err))
	}
	srv := oauth2test.NewServer(&oauth2test.Options{
		Listener:            ln,
		AutoApprove:         *autoApprove,
		TokenTTL:            *ttl,
		RotateRefreshTokens: *rotate,
		Metadata:            *metadata,
		TokenExchange:       oauth2test.AllowTokenExchange,
		Clients: []oauth2test.Client{
			{ID: servePublicID, AnyLoopbackRedirect: true, AuthMethod: oauth2test.AuthMethodNone},
		},
	})
	defer srv.Close()

	if *secretsOut != "" {
		if err := writeClientSecrets(srv, *secretsOut); err != nil {
			return e.fail(c, err)
		}
	}

	if *saOut != "" {
		if err := writeServiceAccountKey(srv, *saOut); err != nil {
			return e.fail(c, err)
		}
	}

	fmt.Fprintln(e.stdout, srv.URL)
	fmt.Fprintf(e.stderr, "oauth2test: serving %s (a test server: any user name is accepted)\n", srv.URL)
	fmt.Fprintf(e.stderr, "oauth2test: public client %q; tokens live %v", servePublicID, *ttl)
	if *autoApprove {
		fmt.Fprint(e.stderr, "; requests are approved without consent")
	}
	fmt.Fprintln(e.stderr)
	if *secretsOut != "" {
		fmt.Fprintf(e.stderr, "oauth2test: client %q written to %s\n", serveClientID, *secretsOut)
	}
	if *saOut != "" {
		fmt.Fprintf(e.stderr, "oauth2test: service account %s: key file written to %s\n", serveServiceAccount, *saOut)
	}
	if *metadata {
		fmt.Fprintf(e.stderr, "oauth2test: metadata server at GCE_METADATA_HOST=%s\n", srv.Listener.Addr())
	}
	fmt.Fprintln(e.stderr, "oauth2test: press Ctrl-C to stop")

	<-ctx.Done()
	fmt.Fprintln(e.stderr, "oauth2test: stopped")
	return exitOK
}

// writeClientSecrets registers the confidential client with a random
// secret and writes its client_secrets.json to path with mode 0600,
// refusing a symbolic link there (see safefile.ReplaceFile).
func writeClientSecrets(srv *oauth2test.Server, path string) error {
	err := srv.RegisterClient(oauth2test.Client{
		ID:                  serveClientID,
		Secret:              rand.Text(),
		AnyLoopbackRedirect: true,
	})
	if err != nil {
		return err
	}
	data, err := srv.ClientSecretsJSON(serveClientID)
	if err != nil {
		return err
	}
	if data, err = withIssuer(data, srv.Issuer()); err != nil {
		return err
	}
	if err := safefile.ReplaceFile(path, data, 0o600, nil); err != nil {
		return fmt.Errorf("write client secrets: %w", err)
	}
	return nil
}

// withIssuer adds the "issuer" field to the client secrets data, so that
// login discovers the server's keys and verifies its ID tokens.
func withIssuer(data []byte, issuer string) ([]byte, error) {
	var doc map[string]map[string]any
	if err := json.Unmarshal(data, &doc); err != nil || doc["installed"] == nil {
		return nil, fmt.Errorf("client secrets: unexpected JSON from the server")
	}
	doc["installed"]["issuer"] = issuer
	return json.MarshalIndent(doc, "", "  ")
}

// writeServiceAccountKey registers the service account and writes its JSON
// key file to path with mode 0600, refusing a symbolic link there (see
// safefile.ReplaceFile).
func writeServiceAccountKey(srv *oauth2test.Server, path string) error {
	data, err := srv.RegisterServiceAccount(serveServiceAccount)
	if err != nil {
		return err
	}
	if err := safefile.ReplaceFile(path, data, 0o600, nil); err != nil {
		return fmt.Errorf("write service account key: %w", err)
	}
	return nil
}
