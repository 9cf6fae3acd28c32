// Package oidcprovidertest runs a real OpenID Provider, the npm package
// oidc-provider pinned under testdata/oidc-provider, on 127.0.0.1 for tests,
// and signs a user in to it without a browser.
//
// It is a test tool: the provider accepts any login name with any password.
//
// # Requirements
//
// Node.js (`node` on PATH) and the provider's npm packages, installed with
//
//	npm ci --prefix testdata/oidc-provider
//
// from the module root. When either is missing, [Start] skips the test, or
// fails it when the environment variable CI is "true".
//
// # The provider
//
// The issuer is http://127.0.0.1:PORT (a free port per [Start]). Discovery,
// authorization (code with PKCE S256), token (authorization_code,
// refresh_token, client_credentials, device_code), device authorization,
// revocation (RFC 7009), introspection (RFC 7662), userinfo, PAR (RFC 9126),
// signed request objects by value (RFC 9101), DPoP (RFC 9449: a token
// request with a proof gets tokens bound to its key, for every client) and
// RP-initiated logout are enabled. These clients are registered, the first five native
// applications whose redirect URI is [RedirectURI] with any port (RFC 8252
// §7.3):
//
//   - native-public: public (token_endpoint_auth_method none), PKCE
//     required, refresh token rotated on every use.
//   - conf-basic: client_secret_basic; its secret holds characters that
//     must be form-urlencoded before Basic encoding (RFC 6749 §2.3.1).
//   - conf-post: client_secret_post.
//   - conf-es256: client_secret_post; its ID tokens are signed ES256 (the
//     others' RS256), so the JWKS holds an RSA and a P-256 key.
//   - native-jar: public like native-public, with a registered ES256 key
//     for signed request objects.
//   - native-dpop-nonce: public like native-public; its DPoP proofs must
//     carry the provider's nonce (RFC 9449 §8).
//   - cc-key-jwt, cc-secret-jwt: client credentials only, with
//     private_key_jwt and client_secret_jwt.
//
// Confidential clients keep their refresh token across refreshes.
//
// # What clients must send
//
// A refresh token is issued only when the authorization request asks for
// scope offline_access together with prompt=consent: without prompt=consent
// oidc-provider silently drops offline_access. The callback carries code,
// state and iss (RFC 9207). A client may revoke and introspect only its own
// tokens; a token of another client introspects as {"active": false}.
package oidcprovidertest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/syncbuf"
)

// RedirectURI is the redirect URI registered for every client. The clients
// are native applications, so the provider accepts it with any port, such as
// http://127.0.0.1:PORT/callback for a loopback listener on PORT.
const RedirectURI = "http://127.0.0.1/callback"

// Client is a client registered with the provider.
type Client struct {
	// ID is the client_id.
	ID string
	// Secret is the client_secret, empty for the public client.
	Secret string
	// AuthMethod is the registered token_endpoint_auth_method: "none",
	// "client_secret_basic", "client_secret_post", "private_key_jwt" or
	// "client_secret_jwt".
	AuthMethod string
	// PrivateJWK is the private JWK (ES256, with a kid), generated per
	// run, of the private_key_jwt client and of the request object client;
	// empty for the others.
	PrivateJWK string
}

// Provider is a running oidc-provider.
type Provider struct {
	// Issuer is the provider's issuer URL, http://127.0.0.1:PORT without a
	// trailing slash; discovery is at Issuer + "/.well-known/openid-configuration".
	Issuer string
	// Public is the public native client (PKCE required, refresh tokens
	// rotate on every use).
	Public Client
	// Basic is the confidential client using client_secret_basic.
	Basic Client
	// Post is the confidential client using client_secret_post.
	Post Client
	// ES256 is a confidential client (client_secret_post) whose ID tokens
	// are signed ES256; the others' are RS256.
	ES256 Client
	// KeyJWT is a client_credentials client using private_key_jwt.
	KeyJWT Client
	// SecretJWT is a client_credentials client using client_secret_jwt.
	SecretJWT Client
	// DPoPNonce is a public native client (PKCE required, refresh tokens
	// rotate) whose DPoP proofs must carry the provider's nonce (RFC 9449
	// §8). The provider's DPoP feature is on for every client: a token
	// request with a proof gets tokens bound to its key.
	DPoPNonce Client
	// JAR is a public native client (PKCE required) that signs its
	// authorization requests (RFC 9101) with PrivateJWK, ES256.
	JAR Client
}

// startTimeout bounds how long Start waits for the provider's ready line.
const startTimeout = 60 * time.Second

// Start runs the provider for the lifetime of t: it is stopped by t.Cleanup.
// It skips t (or fails it when CI=true) if node or the npm packages under
// testdata/oidc-provider are missing, and fails t if the provider does not
// start.
func Start(t testing.TB) *Provider {
	t.Helper()
	node, dir := required(t)
	line := launch(t, node, dir, "server.mjs", "0")
	var v ready
	if err := json.Unmarshal(line, &v); err != nil || v.Issuer == "" {
		t.Fatalf("oidcprovidertest: bad ready line %q: %v", line, err)
	}
	p, err := v.provider()
	if err != nil {
		t.Fatalf("oidcprovidertest: %v", err)
	}
	return p
}

// required returns node and testdata/oidc-provider, or skips t (fails it
// when CI=true) saying what is missing.
func required(t testing.TB) (node, dir string) {
	t.Helper()
	node, dir, missing := locate()
	if missing != "" {
		msg := fmt.Sprintf("oidcprovidertest: %s", missing)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node, dir
}

// launch runs node with args in dir for the lifetime of t, and returns
// the JSON line it prints when ready, failing t if none comes.
func launch(t testing.TB, node, dir string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(node, args...)
	cmd.Dir = dir
	// The server exits when its stdin closes, so it does not outlive a test
	// process that is killed before its cleanups run.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("oidcprovidertest: stdin pipe: %v", err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("oidcprovidertest: stdout pipe: %v", err)
	}
	stderr := &syncbuf.Buffer{Max: 64 << 10}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("oidcprovidertest: starting %s %s in %s: %v", node, args[0], dir, err)
	}
	t.Cleanup(func() {
		stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("oidcprovidertest: oidc-provider stderr:\n%s", stderr.String())
		}
	})

	lines := make(chan []byte, 1)
	errc := make(chan error, 1)
	go func() {
		r := bufio.NewReader(io.LimitReader(stdout, 64<<10))
		line, err := r.ReadBytes('\n')
		if err != nil {
			errc <- fmt.Errorf("reading the ready line: %w", err)
			_, _ = io.Copy(io.Discard, stdout)
			return
		}
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case line := <-lines:
		return line
	case err := <-errc:
		t.Fatalf("oidcprovidertest: oidc-provider did not start: %v\nstderr:\n%s", err, stderr.String())
	case <-timer.C:
		t.Fatalf("oidcprovidertest: oidc-provider did not start within %v\nstderr:\n%s", startTimeout, stderr.String())
	}
	return nil
}

// ready is the line server.mjs prints when it listens.
type ready struct {
	Issuer  string `json:"issuer"`
	Port    int    `json:"port"`
	Clients []struct {
		ID         string          `json:"client_id"`
		Secret     string          `json:"client_secret"`
		AuthMethod string          `json:"token_endpoint_auth_method"`
		PrivateJWK json.RawMessage `json:"private_jwk"`
	} `json:"clients"`
}

// provider returns the Provider the ready line describes.
func (r ready) provider() (*Provider, error) {
	p := &Provider{Issuer: r.Issuer}
	// Each client server.mjs registers, and whether it comes with a key.
	want := []struct {
		id    string
		field *Client
		key   bool
	}{
		{"native-public", &p.Public, false}, {"conf-basic", &p.Basic, false}, {"conf-post", &p.Post, false},
		{"conf-es256", &p.ES256, false}, {"cc-key-jwt", &p.KeyJWT, true}, {"cc-secret-jwt", &p.SecretJWT, false},
		{"native-jar", &p.JAR, true}, {"native-dpop-nonce", &p.DPoPNonce, false},
	}
	byID := make(map[string]int, len(r.Clients))
	for i, c := range r.Clients {
		byID[c.ID] = i
	}
	for _, w := range want {
		i, ok := byID[w.id]
		if !ok || (w.key && len(r.Clients[i].PrivateJWK) == 0) {
			return nil, fmt.Errorf("server.mjs ready line lacks client %s (or its key): got %d clients", w.id, len(r.Clients))
		}
		c := r.Clients[i]
		*w.field = Client{ID: c.ID, Secret: c.Secret, AuthMethod: c.AuthMethod, PrivateJWK: string(c.PrivateJWK)}
	}
	return p, nil
}

// locate finds node and testdata/oidc-provider, or says what is missing and
// how to fix it.
func locate() (node, dir, missing string) {
	root, err := moduleRoot()
	if err != nil {
		return "", "", err.Error()
	}
	dir = filepath.Join(root, "testdata", "oidc-provider")
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "", "node (Node.js) not found on PATH: install it (Debian: apt-get install nodejs npm), then run `npm ci --prefix testdata/oidc-provider` in " + root
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oidc-provider", "package.json")); err != nil {
		return "", "", "the npm package oidc-provider is not installed in " + dir + ": run `npm ci --prefix testdata/oidc-provider` in " + root
	}
	return node, dir, ""
}

// moduleRoot walks up from the working directory to the folder holding
// go.mod and testdata/oidc-provider, or else the first holding go.mod: a
// test of a nested module (examples/webapp) finds the repository's
// provider.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	first := ""
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, "testdata", "oidc-provider", "server.mjs")); err == nil {
				return dir, nil
			}
			if first == "" {
				first = dir
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			if first != "" {
				return first, nil
			}
			return "", errors.New("no go.mod found above the working directory")
		}
		dir = parent
	}
}

// Endpoint discovers the provider's endpoints (OpenID Connect Discovery),
// failing t if that fails.
func (p *Provider) Endpoint(t testing.TB) *oauth2client.Endpoint {
	t.Helper()
	return discoverEndpoint(t, p.Issuer)
}

// discoverEndpoint returns the endpoint discovery at issuer gives, failing t if it
// fails.
func discoverEndpoint(t testing.TB, issuer string) *oauth2client.Endpoint {
	t.Helper()
	ep, err := oauth2client.Discover(context.Background(), issuer, nil)
	if err != nil {
		t.Fatalf("oidcprovidertest: discovery at %s: %v", issuer, err)
	}
	return ep
}
