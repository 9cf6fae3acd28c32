package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/json"
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
	"github.com/oauth2client/oauth2client/store/sqlstore"
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

	// login, in its own process, fetching the URL it prints.
	login := cliCommand(t, append(append([]string{"login", "--no-browser"}, flags...), certArgs...)...)
	login.Env = append(login.Env, env...)
	stderr, err := login.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := login.Start(); err != nil {
		t.Fatal(err)
	}
	var loginOut bytes.Buffer
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		loginOut.WriteString(sc.Text() + "\n")
		if isURLLine(sc.Text()) {
			if got := curl(t, sc.Text()); got != http.StatusOK {
				t.Errorf("the redirect page answered HTTP %d", got)
			}
		}
	}
	if err := login.Wait(); err != nil {
		t.Fatalf("login: %v\n%s", err, loginOut.String())
	}

	cli := func(args ...string) (string, error) {
		t.Helper()
		cmd := cliCommand(t, append(args, flags...)...)
		cmd.Env = append(cmd.Env, env...)
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		all := out.String() + errOut.String()
		if strings.Contains(all, "PRIVATE KEY") || strings.Contains(loginOut.String(), "PRIVATE KEY") {
			t.Errorf("%s printed the key", args[0])
		}
		return out.String(), err
	}
	out, err := cli("token", "--format", "json")
	if err != nil {
		t.Fatalf("token: %v", err)
	}
	var tok tokenJSON
	if err := json.Unmarshal([]byte(out), &tok); err != nil {
		t.Fatal(err)
	}
	if tok.Binding != "x5t#S256" || tok.X5tS256 != clientauth.Thumbprint(cert.Leaf) {
		t.Errorf("token --format json: binding %q %q, want x5t#S256 %s", tok.Binding, tok.X5tS256, clientauth.Thumbprint(cert.Leaf))
	}
	api := srv.MTLSURL() + oauth2test.PathCalendarList
	if out, err := cli("request", api); err != nil || !strings.Contains(out, "items") {
		t.Errorf("request with the bound token: %v\n%s", err, out)
	}
	// The stored token expires: the next process refreshes, presenting the
	// certificate found from the stored paths.
	s, err := sqlstore.OpenSQLite(t.Context(), filepath.Join(dir, "creds.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(t.Context(), "k", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		return expired(cur), nil
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if out, err := cli("request", api); err != nil || !strings.Contains(out, "items") {
		t.Errorf("request after the token expired (a refresh in a new process): %v\n%s", err, out)
	}
	if got := srv.TokenRequests("refresh_token"); got != 1 {
		t.Errorf("refresh requests = %d, want 1", got)
	}
	if out, err := cli("info", "--offline"); err != nil || !strings.Contains(out, "bound to:") || !strings.Contains(out, clientauth.Thumbprint(cert.Leaf)) {
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
