package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/certtest"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

// Issue 11, mutual TLS item 4: login --client-cert --client-key against
// oauth2test's mTLS listener stores the certificate's paths in SQLite;
// then, each in a new process, token --format json shows the binding,
// request presents the certificate with the bound token (also after the
// server expired it: a refresh in the new process), and info says the
// credentials are bound. Nothing prints the key.
func TestClientCertEndToEnd(t *testing.T) {
	t.Parallel()
	cert := certtest.New(t, nil, certtest.Options{CommonName: "cli"})
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, MTLS: true, Clients: []oauth2test.Client{{
		ID: "mtls-cli", AuthMethod: oauth2test.AuthMethodSelfSignedTLSClient,
		TLSCertificates: []*x509.Certificate{cert.Leaf}, AnyLoopbackRedirect: true,
	}}})
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	certFile, keyFile := cert.WriteFiles(t, dir, "client")
	roots := filepath.Join(dir, "roots.pem")
	if err := os.WriteFile(roots, srv.MTLSCertificatePEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"SSL_CERT_FILE=" + roots}
	flags := []string{"--issuer", srv.URL, "--client-id", "mtls-cli", "--scope", "openid",
		"--store", "sqlite:" + filepath.Join(dir, "creds.db"), "--key", "k"}
	certArgs := []string{"--client-cert", certFile, "--client-key", keyFile}

	loginOut := loginProcess(t, env, append(append([]string{"--no-browser"}, flags...), certArgs...), func(authURL string) {
		if got := curl(t, authURL); got != http.StatusOK {
			t.Errorf("the redirect page answered HTTP %d", got)
		}
	})

	if strings.Contains(loginOut, "PRIVATE KEY") {
		t.Error("login printed the key")
	}
	cli := func(args ...string) (string, error) {
		t.Helper()
		return cliProcess(t, env, append(args, flags...)...)
	}
	out, err := cli("token", "--format", "json")
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	var tok tokenJSON
	if err := json.Unmarshal([]byte(out), &tok); err != nil {
		t.Fatal(err)
	}
	if tok.Binding != "x5t#S256" || tok.Cnf["x5t#S256"] != clientauth.Thumbprint(cert.Leaf) {
		t.Errorf("token --format json: binding %q %q, want x5t#S256 %s", tok.Binding, tok.Cnf["x5t#S256"], clientauth.Thumbprint(cert.Leaf))
	}
	api := srv.MTLSURL() + oauth2test.PathCalendarList
	if out, err := cli("request", api); err != nil || !strings.Contains(out, "items") {
		t.Errorf("request with the bound token: %v\n%s", err, out)
	}
	// The stored token expires: the next process refreshes, presenting the
	// certificate found from the stored paths.
	expireSQLite(t, filepath.Join(dir, "creds.db"), "k")
	if out, err := cli("request", api); err != nil || !strings.Contains(out, "items") {
		t.Errorf("request after the token expired (a refresh in a new process): %v\n%s", err, out)
	}
	if got := srv.TokenRequests("refresh_token"); got != 1 {
		t.Errorf("refresh requests = %d, want 1", got)
	}
	if out, err := cli("info", "--offline"); err != nil || !strings.Contains(out, "binding:") && strings.Contains(out, "TLS client certificate") || !strings.Contains(out, clientauth.Thumbprint(cert.Leaf)) {
		t.Errorf("info: %v\n%s", err, out)
	}
	// The token used by another client, without the certificate: 401.
	req, _ := http.NewRequest(http.MethodGet, api, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err := srv.MTLSClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the bound token without its certificate: %d, want 401", resp.StatusCode)
	}
}

// loginProcess runs login with args in its own process, with env added
// to its environment (e.g. SSL_CERT_FILE, which only a new process reads),
// calls visit with the authorization URL it prints, and returns its
// stderr once it succeeded.
func loginProcess(t *testing.T, env, args []string, visit func(authURL string)) string {
	t.Helper()
	login := cliCommand(t, append([]string{"login"}, args...)...)
	login.Env = append(login.Env, env...)
	stderr, err := login.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		out.WriteString(sc.Text() + "\n")
		if isURLLine(sc.Text()) {
			visit(sc.Text())
		}
	}
	if err := login.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, out.String())
	}
	return out.String()
}

// cliProcess runs the CLI with args in its own process, with env added to
// its environment, and returns its stdout. It fails t if the output shows
// a private key.
func cliProcess(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := cliCommand(t, args...)
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if strings.Contains(out.String()+errOut.String(), "PRIVATE KEY") {
		t.Errorf("%s printed the key", args[0])
	}
	if err != nil {
		err = fmt.Errorf("%s: %w; stderr:\n%s", args[0], err, errOut.String())
	}
	return out.String(), err
}

// expireSQLite moves the expiry of the token stored under key in the
// SQLite store at path to the past.
func expireSQLite(t *testing.T, path, key string) {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	err = s.Update(t.Context(), key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		return expired(cur), nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestClientCertFlagErrors: the flags go together, exclude a secret, and
// an expired certificate is refused naming its file and expiry.
func TestClientCertFlagErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := certtest.New(t, nil, certtest.Options{Expired: true})
	certFile, keyFile := old.WriteFiles(t, dir, "old")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"token", "--client-cert", certFile}, "--client-cert and --client-key go together"},
		{[]string{"token", "--client-cert", certFile, "--client-key", keyFile, "--client-id", "x", "--client-secret", "s"}, "excludes --client-secret"},
		{[]string{"login", "--no-browser", "--client-id", "x", "--issuer", "http://127.0.0.1:1", "--client-cert", certFile, "--client-key", keyFile, "--store", "sqlite:" + filepath.Join(dir, "c.db")}, ""},
	}
	for _, tt := range tests {
		var errOut bytes.Buffer
		code := run(t.Context(), tt.args, strings.NewReader(""), io.Discard, &errOut)
		if code == 0 || (tt.want != "" && !strings.Contains(errOut.String(), tt.want)) {
			t.Errorf("%v: exit %d, stderr %s; want %q", tt.args, code, errOut.String(), tt.want)
		}
	}
	// The expired certificate, refused before any request.
	_, err := (&certFlags{clientCert: certFile, clientKey: keyFile}).certAuth(nil)
	if err == nil || !strings.Contains(err.Error(), certFile) || !strings.Contains(err.Error(), "expired at") {
		t.Errorf("expired certificate: %v", err)
	}
}

// TestClientCertPythonStore: login --client-cert into a store of a Python
// format, which could not keep the certificate's reference, is refused
// before the user is sent to authorize.
func TestClientCertPythonStore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	self := certtest.New(t, nil, certtest.Options{CommonName: "self"})
	certFile, keyFile := self.WriteFiles(t, dir, "self")
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, MTLS: true, Clients: []oauth2test.Client{
		{ID: "app", AuthMethod: oauth2test.AuthMethodSelfSignedTLSClient, TLSCertificates: []*x509.Certificate{self.Leaf}, AnyLoopbackRedirect: true},
	}})
	t.Cleanup(srv.Close)
	py := filepath.Join(dir, "multiprocess.json")
	if err := os.WriteFile(py, []byte(`{"file_version": 2, "credentials": {}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	before := srv.Requests(oauth2test.PathAuthorize)
	var errOut bytes.Buffer
	code := run(t.Context(), []string{"login", "--no-browser", "--issuer", srv.URL, "--client-id", "app",
		"--client-cert", certFile, "--client-key", keyFile, "--store", "file:" + py}, strings.NewReader(""), io.Discard, &errOut)
	if code != exitFailure || !strings.Contains(errOut.String(), "--client-cert needs a store") {
		t.Errorf("login --client-cert into a Python store: exit %d, stderr %s", code, errOut.String())
	}
	if srv.Requests(oauth2test.PathAuthorize) != before {
		t.Error("login sent the user to the authorization page first")
	}
}
