package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store/file"
)

// testClient is a confidential client registered with an oauth2test server.
type testClient struct {
	srv    *oauth2test.Server
	id     string
	secret string
	cs     string // path of its client_secrets.json
}

// newTestServer starts oauth2test (auto-approve) with a confidential
// client whose client_secrets.json is written to a temp folder.
func newTestServer(t *testing.T, opts *oauth2test.Options) *testClient {
	t.Helper()
	if opts == nil {
		opts = &oauth2test.Options{}
	}
	opts.AutoApprove = true
	opts.Clients = append(opts.Clients, oauth2test.Client{ID: servePublicID, AnyLoopbackRedirect: true, AuthMethod: oauth2test.AuthMethodNone})
	srv := oauth2test.NewServer(opts)
	t.Cleanup(srv.Close)
	tc := &testClient{srv: srv, id: "cli-client", secret: "cli-secret-" + t.Name()}
	if err := srv.RegisterClient(oauth2test.Client{ID: tc.id, Secret: tc.secret, AnyLoopbackRedirect: true}); err != nil {
		t.Fatal(err)
	}
	data, err := srv.ClientSecretsJSON(tc.id)
	if err != nil {
		t.Fatal(err)
	}
	tc.cs = filepath.Join(t.TempDir(), "cs.json")
	if err := os.WriteFile(tc.cs, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return tc
}

// authorize runs the authorization code flow for the client in-process and
// returns the credentials.
func (tc *testClient) authorize(t *testing.T, scopes ...string) *oauth2client.Credentials {
	t.Helper()
	cs, err := oauth2client.LoadClientSecrets(tc.cs)
	if err != nil {
		t.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(cs.Config("http://127.0.0.1:1/callback", scopes...))
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := flow.AuthCodeURL(t.Context(), oauth2client.AccessTypeOffline())
	if err != nil {
		t.Fatal(err)
	}
	cb, err := followToRedirect(authURL)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := flow.ExchangeCallback(t.Context(), cb.Query())
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

// expired returns creds holding their token with the expiry moved to the
// past, as stored credentials look once their access token has expired.
func expired(c *oauth2client.CredentialsState) *oauth2client.CredentialsState {
	c = c.Clone()
	c.Token.Expiry = time.Now().Add(-time.Hour).Round(time.Second)
	c.IDTokenClaims, c.GrantedScopes = nil, nil
	return c
}

// pythonFileStorage writes creds to path as Python oauth2client's
// file.Storage does, using the reference file as the template.
func pythonFileStorage(t *testing.T, path string, c *oauth2client.Credentials) {
	t.Helper()
	ref, err := os.ReadFile("../../testdata/reference/oauth2client-4.1.3-file-storage.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(ref, &m); err != nil {
		t.Fatal(err)
	}
	cfg, tok := c.Config(), c.CurrentToken()
	s := string(ref)
	for old, repl := range map[string]string{
		m["access_token"].(string):   tok.AccessToken,
		m["refresh_token"].(string):  tok.RefreshToken,
		m["client_id"].(string):      cfg.ClientID,
		m["client_secret"].(string):  cfg.ClientSecret,
		m["token_uri"].(string):      cfg.TokenURI,
		m["revoke_uri"].(string):     cfg.RevokeURI,
		m["token_info_uri"].(string): cfg.TokenInfoURI,
		m["token_expiry"].(string):   tok.Expiry.UTC().Format("2006-01-02T15:04:05Z"),
	} {
		s = strings.ReplaceAll(s, `"`+old+`"`, `"`+repl+`"`)
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// runOK runs the command line in-process and fails the test unless it
// exits 0; it returns stdout.
func runOK(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := runCLI(t, t.Context(), args...)
	if code != 0 {
		t.Fatalf("%s: exit %d, stderr:\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// secretsOf returns the values that must never be printed.
func secretsOf(c *oauth2client.CredentialsState) []string {
	s := []string{c.ClientSecret}
	if tok := c.Token; tok != nil && tok.RefreshToken != "" {
		s = append(s, tok.RefreshToken)
	}
	return s
}

// TestTokenPythonFileStorage: a one-credential file written like Python's
// file.Storage, holding an expired token, is refreshed in place through
// its token_uri.
func TestTokenPythonFileStorage(t *testing.T) {
	tc := newTestServer(t, nil)
	creds := tc.authorize(t, "openid", "email")
	path := filepath.Join(t.TempDir(), "python-creds.json")
	pythonFileStorage(t, path, expired(creds.State()).Credentials(oauth2client.CredentialsConfig{}))

	before := tc.srv.TokenRequests("refresh_token")
	out := runOK(t, "token", "--store", "file:"+path)
	got := strings.TrimSpace(out)
	if got == "" || got == creds.CurrentToken().AccessToken {
		t.Fatalf("token printed %q, want a new access token", got)
	}
	if n := tc.srv.TokenRequests("refresh_token") - before; n != 1 {
		t.Errorf("%d refresh requests, want 1", n)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if m["access_token"] != got || m["_class"] != "OAuth2Credentials" || m["refresh_token"] != creds.CurrentToken().RefreshToken {
		t.Errorf("file after refresh is not the refreshed one-credential file:\n%s", data)
	}
	// The stored token is fresh now: no second refresh.
	if again := strings.TrimSpace(runOK(t, "token", "--store", "file:"+path)); again != got {
		t.Errorf("second token %q, want the stored %q", again, got)
	}
	if n := tc.srv.TokenRequests("refresh_token") - before; n != 1 {
		t.Errorf("%d refresh requests after a second token, want 1", n)
	}
	// --credentials FILE is the same file, refreshed in place too.
	if again := strings.TrimSpace(runOK(t, "token", "--credentials", path)); again != got {
		t.Errorf("token --credentials %q, want the stored %q", again, got)
	}
}

// saveEntries writes creds under their keys in a new many-credential
// file and returns its path.
func saveEntries(t *testing.T, entries map[string]*oauth2client.Credentials) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "many.json")
	s, err := file.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range entries {
		if err := s.Save(t.Context(), k, c.State()); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// fixedCreds returns credentials read from JSON with fixed values.
func fixedCreds(t *testing.T, client, access, refresh, expiry string, scopes []string, invalid bool) *oauth2client.Credentials {
	t.Helper()
	m := map[string]any{
		"access_token": access, "client_id": client, "client_secret": "SECRET-" + client,
		"refresh_token": nil, "token_expiry": nil, "token_uri": "http://127.0.0.1:1/token",
		"user_agent": nil, "invalid": invalid, "scopes": scopes,
		"token_response": map[string]any{"token_type": "Bearer"},
	}
	if refresh != "" {
		m["refresh_token"] = refresh
	}
	if expiry != "" {
		m["token_expiry"] = expiry
	}
	data, _ := json.Marshal(m)
	c, err := oauth2client.ParseCredentialsJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTokenKeyAndFormats(t *testing.T) {
	a := fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2099-01-02T03:04:05Z", []string{"openid", "email"}, false)
	b := fixedCreds(t, "client-b", "ACCESS-B", "REFRESH-B", "2099-01-02T03:04:05Z", []string{"api"}, false)
	path := saveEntries(t, map[string]*oauth2client.Credentials{
		"work": a, "home": b,
		derivedKey("client-a", "", scopeList{"email", "openid"}): a,
	})
	spec := "file:" + path
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"key", []string{"token", "--store", spec, "--key", "home"}, "ACCESS-B\n"},
		{"derived key", []string{"token", "--store", spec, "--client-id", "client-a", "--scope", "openid email"}, "ACCESS-A\n"},
		{"derived key, scopes repeated in another order", []string{"token", "--store", spec, "--client-id", "client-a", "--scope", "email", "--scope", "openid"}, "ACCESS-A\n"},
		{"header format", []string{"token", "--store", spec, "--key", "work", "--format", "header"}, "Authorization: Bearer ACCESS-A\n"},
		{"header command", []string{"header", "--store", spec, "--key", "work"}, "Authorization: Bearer ACCESS-A\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := runOK(t, tc.args...); got != tc.want {
				t.Errorf("stdout %q, want %q", got, tc.want)
			}
		})
	}

	t.Run("json golden", func(t *testing.T) {
		out := runOK(t, "token", "--store", spec, "--key", "work", "--format", "json")
		checkGolden(t, "token-json.golden", out)
		if strings.Contains(out, "REFRESH") || strings.Contains(out, "SECRET") {
			t.Errorf("json output holds a secret:\n%s", out)
		}
	})

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"several entries without key", []string{"token", "--store", spec}, exitUsage, "holds 3 entries"},
		{"missing key", []string{"token", "--store", spec, "--key", "nope"}, exitFailure, "no credentials in store"},
		{"not logged in for these scopes", []string{"token", "--store", spec, "--client-id", "client-a", "--scope", "openid"}, exitFailure, "run 'oauth2client login'"},
		{"client mismatch", []string{"token", "--store", spec, "--client-id", "client-b", "--key", "work"}, exitFailure, `for client "client-a", not "client-b"`},
		{"bad format", []string{"token", "--store", spec, "--format", "xml"}, exitUsage, "want bare, header, json or exec-credential"},
		{"bad store", []string{"token", "--store", "ftp:x"}, exitUsage, "unknown store kind"},
		{"secrets and id", []string{"token", "--client-secrets", "x.json", "--client-id", "y"}, exitUsage, "exclude each other"},
		{"credentials and store", []string{"token", "--credentials", "x.json", "--store", spec}, exitUsage, "--credentials excludes"},
		{"secret without id", []string{"token", "--client-secret", "s"}, exitUsage, "--client-secret needs --client-id"},
		{"extra argument", []string{"token", "--store", spec, "now"}, exitUsage, `unexpected argument "now"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, t.Context(), tc.args...)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q in stderr", code, out, errOut, tc.code, tc.want)
			}
		})
	}
}

func TestCredentialsFileKinds(t *testing.T) {
	tc := newTestServer(t, nil)
	creds := tc.authorize(t, "openid")
	dir := t.TempDir()
	write := func(name string, v any) string {
		data, _ := json.Marshal(v)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	au := write("adc.json", map[string]any{
		"type": "authorized_user", "client_id": tc.id, "client_secret": tc.secret,
		"refresh_token": creds.CurrentToken().RefreshToken, "token_uri": tc.srv.URL + oauth2test.PathToken,
	})
	before := tc.srv.TokenRequests("refresh_token")
	if out := strings.TrimSpace(runOK(t, "token", "--credentials", au)); out == "" {
		t.Error("authorized_user: no token")
	}
	if n := tc.srv.TokenRequests("refresh_token") - before; n != 1 {
		t.Errorf("authorized_user: %d refresh requests, want 1", n)
	}
	sa := write("sa.json", map[string]any{"type": "service_account", "client_email": "x@example.com", "private_key": "KEY"})
	code, _, errOut := runCLI(t, t.Context(), "token", "--credentials", sa)
	if code != exitFailure || !strings.Contains(errOut, `field "private_key"`) || strings.Contains(errOut, "KEY") {
		t.Errorf("service_account: exit %d, stderr %q", code, errOut)
	}
}

func TestListGolden(t *testing.T) {
	path := saveEntries(t, map[string]*oauth2client.Credentials{
		"valid":      fixedCreds(t, "client-a", "ACCESS-1", "REFRESH-1", "2099-01-02T03:04:05Z", []string{"openid", "email"}, false),
		"expired":    fixedCreds(t, "client-a", "ACCESS-2", "REFRESH-2", "2001-01-02T03:04:05Z", []string{"openid"}, false),
		"no-refresh": fixedCreds(t, "client-b", "ACCESS-3", "", "2001-01-02T03:04:05Z", nil, false),
		"revoked":    fixedCreds(t, "client-b", "ACCESS-4", "REFRESH-4", "2099-01-02T03:04:05Z", []string{"api"}, true),
		"forever":    fixedCreds(t, "client-c", "ACCESS-5", "REFRESH-5", "", []string{"api"}, false),
		derivedKey("client-a", "", scopeList{"openid"}): fixedCreds(t, "client-a", "ACCESS-6", "REFRESH-6", "2099-01-02T03:04:05Z", []string{"openid"}, false),
	})
	out := runOK(t, "list", "--store", "file:"+path)
	checkGolden(t, "list.golden", out)
	for _, secret := range []string{"ACCESS", "REFRESH", "SECRET"} {
		if strings.Contains(out, secret) {
			t.Errorf("list output holds %s:\n%s", secret, out)
		}
	}
	code, out, errOut := runCLI(t, t.Context(), "list", "--store", "file:"+filepath.Join(t.TempDir(), "none.json"))
	if code != 0 || out != "" || !strings.Contains(errOut, "holds no credentials") {
		t.Errorf("empty store: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestLogout(t *testing.T) {
	c := fixedCreds(t, "client-a", "ACCESS-1", "REFRESH-1", "2099-01-02T03:04:05Z", []string{"openid"}, false)
	path := saveEntries(t, map[string]*oauth2client.Credentials{"a": c, "b": c})
	spec := "file:" + path
	runOK(t, "logout", "--store", spec, "--key", "a")
	s, _ := file.Open(path, nil)
	keys, err := s.List(t.Context())
	if err != nil || len(keys) != 1 || keys[0] != "b" {
		t.Errorf("after logout: keys %v, %v; want [b]", keys, err)
	}
	code, _, errOut := runCLI(t, t.Context(), "logout", "--store", spec, "--key", "a")
	if code != exitFailure || !strings.Contains(errOut, "no credentials") {
		t.Errorf("second logout: exit %d, stderr %q", code, errOut)
	}
}

// checkGolden compares got with testdata/name, rewriting it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (run go test -update if intended):\n%s", path, got)
	}
}

func TestEveryCommandHelpGolden(t *testing.T) {
	for _, c := range commands {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, t.Context(), c.name, "--help")
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if !strings.Contains(out, "Examples:") {
				t.Errorf("%s --help has no examples", c.name)
			}
			checkGolden(t, c.name+"-help.golden", out)
		})
	}
}
