package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/google"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// TestOnDemandLoginFlags: the flags the on-demand login is given are
// those of the command the user typed that login defines too, derived
// from the two flag sets: token-only flags (--impersonate-service-account,
// --iam-base-url, --format, the grant flags) and git-credential's own are
// dropped; the shared ones are kept.
func TestOnDemandLoginFlags(t *testing.T) {
	t.Parallel()
	login := flagsOf(t.Context(), lookup("login"))
	if login == nil || login.Lookup("device") == nil {
		t.Fatal("flagsOf(login) found no flag set")
	}
	for _, tc := range []struct {
		cmd        string
		drop, keep []string
	}{
		{"token", []string{"impersonate-service-account", "iam-base-url", "format", "grant"}, []string{"device", "no-browser", "scope", "client-secrets", "store"}},
		{"git-credential", []string{"host", "any-host", "username", "share-refresh-token"}, []string{"device", "no-browser", "scope", "issuer"}},
	} {
		fs := flagsOf(t.Context(), lookup(tc.cmd))
		only := onlyIn(fs, login)
		for _, name := range tc.drop {
			if !slices.Contains(only, name) {
				t.Errorf("%s: --%s is not dropped before login (dropped: %q)", tc.cmd, name, only)
			}
		}
		for _, name := range tc.keep {
			if slices.Contains(only, name) {
				t.Errorf("%s: --%s is dropped before login", tc.cmd, name)
			}
		}
	}
}

// TestExecCredentialLoginTokenOnlyFlags: an exec plugin given token-only
// flags logs in on demand without login refusing them, and a login that
// fails names the command the user typed, not login.
func TestExecCredentialLoginTokenOnlyFlags(t *testing.T) {
	t.Parallel()
	tc := newTestServer(t, nil)
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--no-browser", "--iam-base-url", google.DefaultIAMBaseURL, "--client-secrets", tc.cs, "--scope", "openid", "--store", "file:" + path}
	logins := 0
	code, out, errOut := runPlugin(t, execInfoJSON(execV1, true), approveURL(t, &logins), flags...)
	if code != exitOK || logins != 1 {
		t.Fatalf("--iam-base-url, interactive: exit %d after %d logins; stderr:\n%s", code, logins, errOut)
	}
	decodeExecCredential(t, out, execV1)

	// A login that cannot start: its usage error names token.
	empty := filepath.Join(t.TempDir(), "empty.json")
	code, _, errOut = runPlugin(t, execInfoJSON(execV1, true), nil, "--client-id", "x", "--scope", "openid", "--store", "file:"+empty)
	if code == exitOK || strings.Contains(errOut, "oauth2client login --help") || !strings.Contains(errOut, "oauth2client token --help") {
		t.Errorf("a login without --issuer: exit %d, stderr:\n%s", code, errOut)
	}
}

// TestExecCredentialServiceAccountInvalidGrant: a service account key the
// token endpoint refuses (invalid_grant) is reported as it is; no login
// is attempted, since none could fix it.
func TestExecCredentialServiceAccountInvalidGrant(t *testing.T) {
	t.Parallel()
	srv := oauth2test.NewServer(nil)
	t.Cleanup(srv.Close)
	key, err := srv.RegisterServiceAccount("")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(key, &m); err != nil {
		t.Fatal(err)
	}
	m["client_email"] = "unknown@example.iam.gserviceaccount.com" // the server refuses it
	b, _ := json.Marshal(m)
	sa := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(sa, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runPlugin(t, execInfoJSON(execV1, true), nil, "--no-browser", "--credentials", sa, "--scope", "openid")
	if code != exitFailure || out != "" || strings.Contains(errOut, "logging in") || strings.Contains(errOut, "login --help") || !strings.Contains(errOut, "invalid_grant") {
		t.Errorf("a refused service account: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}
}

// TestOnDemandRefusesBoundTokens: credentials bound to a DPoP key are
// refused by git-credential and exec-credential alike, saying why, without
// handing out the token.
func TestOnDemandRefusesBoundTokens(t *testing.T) {
	t.Parallel()
	tc := newTestServer(t, nil)
	db := filepath.Join(t.TempDir(), "creds.db")
	flags := []string{"--client-secrets", tc.cs, "--scope", "openid", "--store", "sqlite:" + db}
	loginNoBrowser(t, append([]string{"--dpop"}, flags...))

	code, out, errOut := runPlugin(t, execInfoJSON(execV1, false), nil, flags...)
	if code != exitFailure || out != "" || !strings.Contains(errOut, "bound to a DPoP key") || !strings.Contains(errOut, "kubectl cannot present") {
		t.Errorf("exec-credential: exit %d, a token on stdout %v, stderr:\n%s", code, out != "", errOut)
	}
	cmd := cliCommand(t, append([]string{"git-credential", "--host", "git.example"}, append(flags, "get")...)...)
	cmd.Stdin = strings.NewReader("protocol=https\nhost=git.example\n\n")
	cmd.Env = append(cmd.Env, "GIT_TERMINAL_PROMPT=0")
	code, out, errOut = runWatchingStderr(t, cmd, nil)
	if code != exitFailure || strings.Contains(out, "password") || !strings.Contains(errOut, "bound to a DPoP key") || !strings.Contains(errOut, "git cannot present") {
		t.Errorf("git-credential: exit %d, a password %v, stderr:\n%s", code, strings.Contains(out, "password"), errOut)
	}
}

// certSource is a token source that presents a TLS client certificate.
type certSource struct {
	oauth2client.TokenSource
	cert *tls.Certificate
}

func (s certSource) TLSCertificate() *tls.Certificate { return s.cert }

// TestBoundTokensCertificate: tokens from a source presenting a TLS client
// certificate (RFC 8705) are refused; a bearer source is not.
func TestBoundTokensCertificate(t *testing.T) {
	t.Parallel()
	leaf := &x509.Certificate{Raw: []byte("certificate")}
	bound := &loaded{source: certSource{cert: &tls.Certificate{Leaf: leaf}}, from: "store s, key k"}
	if err := boundTokens(bound, "git"); err == nil || !strings.Contains(err.Error(), "TLS client certificate") || !strings.Contains(err.Error(), "git cannot present") {
		t.Errorf("a certificate-bound source: %v", err)
	}
	if err := boundTokens(&loaded{source: certSource{}, from: "f"}, "git"); err != nil {
		t.Errorf("a bearer source: %v", err)
	}
}

// TestGitCredentialNoADC: with no credential flags and the default store
// empty, git-credential does not fall back to Application Default
// Credentials ($GOOGLE_APPLICATION_CREDENTIALS here): those tokens are
// for Google's APIs, not for a git server.
func TestGitCredentialNoADC(t *testing.T) {
	t.Parallel()
	home := t.TempDir()
	adc := filepath.Join(home, "adc.json")
	b, _ := json.Marshal(map[string]string{"type": "authorized_user", "client_id": "c", "client_secret": "s", "refresh_token": "r", "token_uri": "http://127.0.0.1:1/token"})
	if err := os.WriteFile(adc, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := cliCommand(t, "git-credential", "--host", "git.example", "get")
	cmd.Stdin = strings.NewReader("protocol=https\nhost=git.example\n\n")
	cmd.Env = append(cmd.Env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "APPDATA="+home,
		"GIT_TERMINAL_PROMPT=0", google.EnvCredentials+"="+adc)
	code, out, errOut := runWatchingStderr(t, cmd, nil)
	if code == exitOK || strings.Contains(out, "password") || strings.Contains(errOut, "application default credentials") || !strings.Contains(errOut, "oauth2client login") {
		t.Errorf("no flags, $%s set: exit %d, a password %v, stderr:\n%s", google.EnvCredentials, code, strings.Contains(out, "password"), errOut)
	}
}
