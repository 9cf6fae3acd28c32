package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// execInfoJSON is what kubectl puts in $KUBERNETES_EXEC_INFO.
func execInfoJSON(apiVersion string, interactive bool) string {
	b, _ := json.Marshal(map[string]any{"apiVersion": apiVersion, "kind": "ExecCredential", "spec": map[string]any{"interactive": interactive}})
	return string(b)
}

// runPlugin runs token --format exec-credential with args in a new
// process, as kubectl does with execInfo in $KUBERNETES_EXEC_INFO. When
// onLine is not nil, it is called with each line of stderr.
func runPlugin(t *testing.T, execInfo string, onLine func(string), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	cmd := cliCommand(t, append([]string{"token", "--format", "exec-credential"}, args...)...)
	cmd.Env = append(cmd.Env, execInfoEnv+"="+execInfo)
	return runWatchingStderr(t, cmd, onLine)
}

// runWatchingStderr runs cmd and returns its exit code and output; when
// onLine is not nil, it is called with each line of stderr as it comes.
func runWatchingStderr(t *testing.T, cmd *exec.Cmd, onLine func(string)) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	pr, pw := io.Pipe()
	cmd.Stderr = io.MultiWriter(&errOut, pw)
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if onLine != nil {
				onLine(sc.Text())
			}
		}
	}()
	err := cmd.Run()
	pw.Close()
	<-done
	code = cmd.ProcessState.ExitCode()
	if err != nil && code < 0 {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// approveURL returns an onLine function that follows each URL line (the
// auto-approving server redirects to login's loopback server) and counts
// them in n.
func approveURL(t *testing.T, n *int) func(string) {
	return func(u string) {
		if !isURLLine(u) {
			return
		}
		*n++
		if status := curl(t, u); status != http.StatusOK {
			t.Errorf("the redirect page answered HTTP %d", status)
		}
	}
}

// decodeExecCredential checks that out is an ExecCredential of apiVersion
// alone and returns it.
func decodeExecCredential(t *testing.T, out, apiVersion string) execCredential {
	t.Helper()
	var ec execCredential
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ec); err != nil {
		t.Fatalf("stdout is not an ExecCredential: %v\n%s", err, out)
	}
	if dec.More() {
		t.Fatalf("stdout holds more than the ExecCredential:\n%s", out)
	}
	if ec.APIVersion != apiVersion || ec.Kind != "ExecCredential" || ec.Status.Token == "" {
		t.Fatalf("ExecCredential %+v, want apiVersion %s, kind ExecCredential and a token", ec, apiVersion)
	}
	exp, err := time.Parse(time.RFC3339, ec.Status.ExpirationTimestamp)
	if err != nil || !exp.After(time.Now()) {
		t.Fatalf("expirationTimestamp %q: want a future RFC 3339 time (%v)", ec.Status.ExpirationTimestamp, err)
	}
	return ec
}

// TestExecCredential (issue 12, ecosystem item 2): token --format
// exec-credential answers kubectl in the version it asks for, from stored
// credentials without interaction; with none stored it fails when kubectl
// forbids interaction (stdout empty, the way out on stderr) and logs in
// when kubectl allows it (in the browser, or with --device the device
// flow), stdout holding the ExecCredential alone.
func TestExecCredential(t *testing.T) {
	t.Parallel()
	tc := newTestServer(t, &oauth2test.Options{DeviceInterval: time.Millisecond})
	path := filepath.Join(t.TempDir(), "creds.json")
	creds := []string{"--client-secrets", tc.cs, "--scope", "openid", "--store", "file:" + path}
	flags := append([]string{"--no-browser"}, creds...)

	code, out, errOut := runPlugin(t, execInfoJSON(execV1, false), nil, flags...)
	if code != exitFailure || out != "" || !strings.Contains(errOut, "oauth2client login") || !strings.Contains(errOut, "spec.interactive is false") {
		t.Fatalf("no credentials, not interactive: exit %d, stdout %q, stderr:\n%s", code, out, errOut)
	}

	logins := 0
	code, out, errOut = runPlugin(t, execInfoJSON(execV1, true), approveURL(t, &logins), flags...)
	if code != exitOK || logins != 1 {
		t.Fatalf("interactive: exit %d after %d logins; stderr:\n%s", code, logins, errOut)
	}
	first := decodeExecCredential(t, out, execV1)
	if !strings.Contains(errOut, "Logged in") {
		t.Errorf("stderr does not tell of the login:\n%s", errOut)
	}

	for _, v := range []string{execV1, execV1beta1} {
		code, out, errOut = runPlugin(t, execInfoJSON(v, false), nil, flags...)
		if code != exitOK || errOut != "" {
			t.Fatalf("%s, stored credentials: exit %d, stderr:\n%s", v, code, errOut)
		}
		if ec := decodeExecCredential(t, out, v); ec.Status.Token != first.Status.Token {
			t.Errorf("%s: a new token while the stored one is valid", v)
		}
	}

	expireStored(t, path, derivedKey(tc.id, "", scopeList{"openid"}))
	code, out, errOut = runPlugin(t, execInfoJSON(execV1, false), nil, flags...)
	if code != exitOK {
		t.Fatalf("after expiry: exit %d, stderr:\n%s", code, errOut)
	}
	if ec := decodeExecCredential(t, out, execV1); ec.Status.Token == first.Status.Token {
		t.Error("after expiry the token was not refreshed")
	}

	// Logged out, --device: the plugin logs in with the device flow.
	runOK(t, append([]string{"logout"}, creds...)...)
	approved := 0 // the server approves at once (AutoApprove)
	code, out, errOut = runPlugin(t, execInfoJSON(execV1, true), func(line string) {
		if strings.HasPrefix(line, "and enter the code: ") {
			approved++
		}
	}, append([]string{"--device", "--issuer", tc.srv.URL}, creds...)...) // discovery names the device endpoint
	if code != exitOK || approved != 1 {
		t.Fatalf("device flow: exit %d after %d approvals; stderr:\n%s", code, approved, errOut)
	}
	decodeExecCredential(t, out, execV1)
}

func TestReadExecInfo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		raw         string
		version     string
		interactive bool
		err         string
	}{
		{"", execV1, true, ""},
		{execInfoJSON(execV1, false), execV1, false, ""},
		{execInfoJSON(execV1beta1, true), execV1beta1, true, ""},
		{`{"kind":"ExecCredential","spec":{"interactive":true}}`, execV1, true, ""},
		{execInfoJSON("client.authentication.k8s.io/v1alpha1", true), "", false, "not supported"},
		{"{", "", false, "not an ExecCredential"},
	} {
		info, err := readExecInfo(tc.raw)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), execInfoEnv) {
				t.Errorf("readExecInfo(%q): error %v, want one with %q naming $%s", tc.raw, err, tc.err, execInfoEnv)
			}
			continue
		}
		if err != nil || info.APIVersion != tc.version || info.Spec.Interactive != tc.interactive {
			t.Errorf("readExecInfo(%q) = %+v, %v; want %s, interactive %v", tc.raw, info, err, tc.version, tc.interactive)
		}
	}
}

func TestMarshalExecCredentialNoExpiry(t *testing.T) {
	t.Parallel()
	b, err := marshalExecCredential(execV1, &oauth2client.Token{AccessToken: "at"})
	if err != nil || strings.Contains(string(b), "expirationTimestamp") {
		t.Errorf("a token without expiry: %s, %v; want no expirationTimestamp", b, err)
	}
}

func TestArgsWithout(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args, want []string
	}{
		{[]string{"--format", "exec-credential", "--scope", "openid"}, []string{"--scope", "openid"}},
		{[]string{"--format=exec-credential", "--device", "--key", "--format"}, []string{"--device", "--key", "--format"}},
		{[]string{"-format", "x", "--no-browser", "--store", "file:a", "get"}, []string{"--no-browser", "--store", "file:a"}},
		{[]string{"--scope", "a", "--", "--format", "x"}, []string{"--scope", "a"}},
	} {
		fs := (&env{stderr: io.Discard}).flagSet(&command{name: "token"})
		var cf credFlags
		cf.register(fs)
		var od onDemand
		od.register(fs, "test")
		fs.String("format", "", "")
		if got := argsWithout(fs, tc.args, "format"); !slices.Equal(got, tc.want) {
			t.Errorf("argsWithout(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
