package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/serviceaccount"
)

// jwtBearerCount returns the jwt-bearer counter of the server's /metrics.
func jwtBearerCount(t *testing.T, issuer string) string {
	t.Helper()
	_, metrics := getBody(t, issuer+oauth2test.PathMetrics)
	prefix := `oauth2test_token_requests_total{grant_type="` + oauth2test.GrantTypeJWTBearer + `"} `
	for line := range strings.Lines(metrics) {
		if strings.HasPrefix(line, prefix) {
			return strings.TrimSpace(strings.TrimPrefix(line, prefix))
		}
	}
	return "0"
}

// TestServiceAccountEndToEnd: serve --service-account-out sa.json, then
// token --credentials sa.json prints a token after exactly one jwt-bearer
// request, visible on /metrics.
func TestServiceAccountEndToEnd(t *testing.T) {
	sa := filepath.Join(t.TempDir(), "sa.json")
	issuer, _ := startServe(t, "--addr", "127.0.0.1:0", "--service-account-out", sa)
	fi, err := os.Stat(sa)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v", fi.Mode().Perm())
	}

	code, out, errOut := runCLI(t, t.Context(), "token", "--credentials", sa, "--scope", "openid")
	tok := strings.TrimSpace(out)
	if code != exitOK || tok == "" {
		t.Fatalf("token: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if n := jwtBearerCount(t, issuer); n != "1" {
		t.Errorf("/metrics counts %s jwt-bearer requests, want 1", n)
	}
	_, body := getBody(t, issuer+oauth2test.PathTokenInfo+"?access_token="+url.QueryEscape(tok))
	var info map[string]any
	if err := json.Unmarshal([]byte(body), &info); err != nil || info["sub"] != serveServiceAccount || info["scope"] != "openid" {
		t.Errorf("tokeninfo %s", body)
	}

	// Delegation: the token is for the subject.
	code, out, errOut = runCLI(t, t.Context(), "token", "--credentials", sa, "--scope", "openid email", "--subject", "alice@example.com", "--format", "json")
	var tj tokenJSON
	if err := json.Unmarshal([]byte(out), &tj); code != exitOK || err != nil {
		t.Fatalf("token --subject: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if strings.Join(tj.Scopes, " ") != "email openid" || tj.Expiry == "" {
		t.Errorf("token json %+v", tj)
	}
	_, body = getBody(t, issuer+oauth2test.PathTokenInfo+"?access_token="+url.QueryEscape(tj.AccessToken))
	if !strings.Contains(body, `"sub":"alice@example.com"`) {
		t.Errorf("delegated tokeninfo %s", body)
	}

	// Self-signed JWT: no token request.
	code, out, errOut = runCLI(t, t.Context(), "token", "--credentials", sa, "--audience", "https://api.example.com/")
	if code != exitOK || strings.Count(strings.TrimSpace(out), ".") != 2 {
		t.Errorf("token --audience: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if n := jwtBearerCount(t, issuer); n != "2" {
		t.Errorf("/metrics counts %s jwt-bearer requests after the self-signed JWT, want 2", n)
	}

	// Commands on stored credentials refuse a key, without quoting it.
	for _, cmd := range []string{"info", "revoke"} {
		code, _, errOut := runCLI(t, t.Context(), cmd, "--credentials", sa)
		if code != exitFailure || !strings.Contains(errOut, "service account key holds no stored token") || strings.Contains(errOut, "PRIVATE KEY") {
			t.Errorf("%s: exit %d, stderr %q", cmd, code, errOut)
		}
	}
}

// TestServiceAccountProcess: the same from a separate process.
func TestServiceAccountProcess(t *testing.T) {
	sa := filepath.Join(t.TempDir(), "sa.json")
	issuer, _ := startServe(t, "--addr", "127.0.0.1:0", "--service-account-out", sa)
	out, err := cliCommand(t, "header", "--credentials", sa, "--scope", "openid").Output()
	if err != nil || !strings.HasPrefix(string(out), "Authorization: Bearer ") {
		t.Fatalf("header: %v, stdout %q", err, out)
	}
	if n := jwtBearerCount(t, issuer); n != "1" {
		t.Errorf("%s jwt-bearer requests, want 1", n)
	}
}

func TestServiceAccountFlags(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	au := filepath.Join(dir, "au.json")
	// client_secret is required, as by Python oauth2client (client.py's required_fields) and google-auth.
	if err := os.WriteFile(au, []byte(`{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"token", "--subject", "a@example.com"}, "need --credentials"},
		{[]string{"token", "--audience", "x"}, "need --credentials"},
		{[]string{"token", "--credentials", au, "--subject", "a@example.com"}, "not one"},
		{[]string{"token", "--credentials", au, "--subject", "a@example.com", "--audience", "x"}, "exclude each other"},
	}
	for _, tt := range tests {
		code, _, errOut := runCLI(t, t.Context(), tt.args...)
		if code != exitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q", tt.args, code, errOut)
		}
	}
}

// TestServiceAccountPythonCredentials: --credentials takes Python
// oauth2client's ServiceAccountCredentials JSON.
func TestServiceAccountPythonCredentials(t *testing.T) {
	dir := t.TempDir()
	sa := filepath.Join(dir, "sa.json")
	issuer, _ := startServe(t, "--addr", "127.0.0.1:0", "--service-account-out", sa)
	key, err := serviceaccount.ReadJSONKeyFile(sa)
	if err != nil {
		t.Fatal(err)
	}
	data, err := (&serviceaccount.PythonCredentials{Key: key, Scopes: []string{"openid"}, TokenURI: key.TokenURI()}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	py := filepath.Join(dir, "py.json")
	if err := os.WriteFile(py, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, t.Context(), "token", "--credentials", py, "--format", "json")
	var tj tokenJSON
	if err := json.Unmarshal([]byte(out), &tj); code != exitOK || err != nil || strings.Join(tj.Scopes, " ") != "openid" {
		t.Fatalf("token: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if n := jwtBearerCount(t, issuer); n != "1" {
		t.Errorf("%s jwt-bearer requests, want 1", n)
	}
	code, _, errOut = runCLI(t, t.Context(), "token", "--credentials", py, "--audience", "x")
	if code != exitUsage || !strings.Contains(errOut, "--audience needs") {
		t.Errorf("--audience with Python credentials: exit %d, stderr %q", code, errOut)
	}
}
