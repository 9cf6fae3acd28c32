package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store/file"
)

// expireStored moves the expiry of the token stored under key to the past.
func expireStored(t *testing.T, path, key string) {
	t.Helper()
	s, err := file.OpenAuto(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(t.Context(), key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		return expired(cur), nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// concurrentTokens starts n token processes with args at once and returns
// their outputs.
func concurrentTokens(t *testing.T, n int, args ...string) []string {
	t.Helper()
	type proc struct {
		out, errOut bytes.Buffer
	}
	procs := make([]*proc, n)
	var cmds []interface{ Wait() error }
	for i := range procs {
		p := &proc{}
		procs[i] = p
		cmd := cliCommand(t, append([]string{"token"}, args...)...)
		cmd.Stdout, cmd.Stderr = &p.out, &p.errOut
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	outs := make([]string, n)
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v; stderr:\n%s", i, err, procs[i].errOut.String())
		}
		outs[i] = strings.TrimSpace(procs[i].out.String())
	}
	return outs
}

// checkOneToken checks that every output is the same non-empty token.
func checkOneToken(t *testing.T, outs []string) {
	t.Helper()
	for i, o := range outs {
		if o == "" || o != outs[0] {
			t.Errorf("process %d printed %q, process 0 %q: want one token", i, o, outs[0])
		}
	}
}

// TestEndToEndOAuth2Test: stored credentials from a login, then token,
// 16 token processes after expiry (one refresh), request, info and revoke,
// all with the flags login took.
func TestEndToEndOAuth2Test(t *testing.T) {
	tc := newTestServer(t, &oauth2test.Options{TokenTTL: time.Hour})
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--client-secrets", tc.cs, "--scope", "openid", "--store", "file:" + path}
	with := func(args ...string) []string { return append(args, flags...) }

	msg := loginNoBrowser(t, flags)
	if !strings.Contains(msg, "Logged in") || strings.Contains(msg, tc.secret) {
		t.Errorf("login stderr:\n%s", msg)
	}

	stored, err := openFile(t, path).Load(t.Context(), derivedKey(tc.id, "", scopeList{"openid"}))
	if err != nil {
		t.Fatal(err)
	}
	secrets := secretsOf(stored)
	noSecrets := func(what, out string) {
		t.Helper()
		for _, s := range secrets {
			if s != "" && strings.Contains(out, s) {
				t.Errorf("%s shows the client secret or the refresh token:\n%s", what, out)
			}
		}
	}
	noSecrets("login", msg)

	first := strings.TrimSpace(runOK(t, with("token")...))
	if first == "" {
		t.Fatal("token printed nothing")
	}

	expireStored(t, path, derivedKey(tc.id, "", scopeList{"openid"}))
	before := tc.srv.TokenRequests("refresh_token")
	outs := concurrentTokens(t, 16, flags...)
	checkOneToken(t, outs)
	if n := tc.srv.TokenRequests("refresh_token") - before; n != 1 {
		t.Errorf("16 token processes after expiry made %d refresh requests, want 1", n)
	}
	if outs[0] == first {
		t.Error("the token after expiry is the expired one")
	}

	body := runOK(t, with("request", tc.srv.URL+oauth2test.PathCalendarList)...)
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Errorf("request printed %q, want the JSON body: %v", body, err)
	}
	noSecrets("request", body)
	code, _, errOut := runCLI(t, t.Context(), with("request", "-v", tc.srv.URL+"/no/such/path")...)
	noSecrets("request -v", errOut)
	if code != exitFailure || !strings.Contains(errOut, "404") {
		t.Errorf("request of a missing path: exit %d, stderr %q; want 1 and the status", code, errOut)
	}

	info := runOK(t, with("info")...)
	for _, want := range []string{"client:         " + tc.id, "server says:    scopes openid", "status:         valid"} {
		if !strings.Contains(info, want) {
			t.Errorf("info lacks %q:\n%s", want, info)
		}
	}
	noSecrets("info", info)
	if strings.Contains(info, tc.secret) || strings.Contains(info, outs[0]) {
		t.Errorf("info shows a secret or token:\n%s", info)
	}

	runOK(t, with("revoke")...)
	code, _, errOut = runCLI(t, t.Context(), with("token")...)
	if code != exitFailure || !strings.Contains(errOut, "no credentials") {
		t.Errorf("token after revoke: exit %d, stderr %q", code, errOut)
	}
	code, _, _ = runCLI(t, t.Context(), "request", "--store", "file:"+path, "--key", "x", tc.srv.URL+oauth2test.PathCalendarList)
	if code != exitFailure {
		t.Errorf("request after revoke: exit %d, want 1", code)
	}
}

// openFile opens the credentials file at path.
func openFile(t *testing.T, path string) *file.Store {
	t.Helper()
	s, err := file.OpenAuto(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDebugLogsHoldNoSecrets (issue 7 item 11): a full run at
// --logging-level DEBUG (login, token, a refresh after expiry, request,
// info, revoke) logs what the library, the store and the transport do, and
// no line holds the client secret, a refresh token or an access token.
func TestDebugLogsHoldNoSecrets(t *testing.T) {
	tc := newTestServer(t, &oauth2test.Options{TokenTTL: time.Hour})
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--client-secrets", tc.cs, "--scope", "openid", "--store", "file:" + path, "--logging-level", "DEBUG"}
	with := func(args ...string) []string { return append(args, flags...) }
	key := derivedKey(tc.id, "", scopeList{"openid"})

	var logs strings.Builder
	logs.WriteString(loginNoBrowser(t, flags))
	secrets := []string{tc.secret}
	remember := func() {
		st, err := openFile(t, path).Load(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, st.Token.AccessToken, st.Token.RefreshToken)
	}
	remember()
	step := func(args ...string) {
		t.Helper()
		code, out, errOut := runCLI(t, t.Context(), with(args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d, stderr:\n%s", args[0], code, errOut)
		}
		logs.WriteString(errOut)
		if args[0] == "token" {
			secrets = append(secrets, strings.TrimSpace(out))
		}
	}
	step("token")
	expireStored(t, path, key)
	step("token") // refreshes: request, retry policy, lock and store lines
	remember()
	step("request", tc.srv.URL+oauth2test.PathCalendarList)
	step("info")
	step("revoke")

	all := logs.String()
	for _, want := range []string{"level=DEBUG", "token"} {
		if !strings.Contains(all, want) {
			t.Errorf("the debug log lacks %q:\n%s", want, all)
		}
	}
	lines := strings.Split(all, "\n")
	leaked := 0
	for _, s := range secrets {
		if s == "" {
			continue
		}
		for _, line := range lines {
			if strings.Contains(line, s) {
				leaked++
				t.Errorf("a log line holds a secret or token: %s", line)
			}
		}
	}
	t.Logf("reliability: debug log of a full CLI run: %d lines checked against %d secrets and tokens, %d leaked", len(lines), len(secrets), leaked)
	if testing.Verbose() {
		t.Logf("the debug log:\n%s", all)
	}
}
