package main

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a git repository in a temp folder whose credential helper
// is this test binary running git-credential with flags, and returns a
// function running git there with stdin.
func gitRepo(t *testing.T, flags ...string) func(stdin string, args ...string) *exec.Cmd {
	t.Helper()
	git, err := exec.LookPath("git")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git is missing")
		}
		t.Skip("git is missing")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	home, repo := t.TempDir(), t.TempDir()
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=", cliEnv+"=1")
	gitCmd := func(stdin string, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(t.Context(), git, args...)
		cmd.Dir, cmd.Env, cmd.Stdin = repo, env, strings.NewReader(stdin)
		return cmd
	}
	helper := "!" + shellQuote(exe) + " git-credential"
	for _, f := range flags {
		helper += " " + shellQuote(f)
	}
	for _, args := range [][]string{{"init", "-q"}, {"config", "credential.helper", helper}} {
		if out, err := gitCmd("", args...).CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	return gitCmd
}

// shellQuote quotes s for sh.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// gitAnswer parses git credential fill's output.
func gitAnswer(t *testing.T, out string) gitRequest {
	t.Helper()
	req, err := readGitRequest(strings.NewReader(out))
	if err != nil {
		t.Fatalf("git credential fill printed %q: %v", out, err)
	}
	return req
}

// TestGitCredentialFill (issue 12, ecosystem item 3): the real git, with
// the helper configured in a repository for --host git.example, gets the
// stored access token as the password through git credential fill, and
// nothing for another host; git credential reject makes the helper drop
// that access token only, after which git, with prompts off, gets a
// refreshed token (one refresh, no login); once the credentials are
// revoked, with prompts on and stderr taken for a terminal, the helper logs in
// (its URL on git's stderr) and git gets the new token.
func TestGitCredentialFill(t *testing.T) {
	t.Parallel()
	tc, flags := loggedInServer(t)
	want := strings.TrimSpace(runOK(t, append([]string{"token"}, flags...)...))
	git := gitRepo(t, append(flags, "--no-browser", "--host", "git.example")...)
	const ask = "protocol=https\nhost=git.example\npath=team/repo.git\n\n"

	out, err := git(ask, "credential", "fill").Output()
	if err != nil {
		t.Fatalf("git credential fill: %v", err)
	}
	got := gitAnswer(t, string(out))
	if got.get("password") != want || got.get("username") != "oauth2" || got.get("host") != "git.example" {
		t.Fatalf("git credential fill answered username %q, host %q and a password that is not the stored token", got.get("username"), got.get("host"))
	}

	// Not our host, or not https: git gets nothing from the helper.
	for _, other := range []string{"protocol=https\nhost=github.com\n\n", "protocol=http\nhost=git.example\n\n"} {
		if out, err := git(other, "credential", "fill").Output(); err == nil {
			t.Errorf("%q: git got %q, want nothing", other, out)
		}
	}

	// The server refused the token: git erases it through the helper,
	// which drops the access token and keeps the refresh token.
	reject := git(ask[:len(ask)-1]+"username=oauth2\npassword="+want+"\n\n", "credential", "reject")
	if out, err := reject.CombinedOutput(); err != nil || !strings.Contains(string(out), "dropped it from the store") {
		t.Fatalf("git credential reject: %v\n%s", err, out)
	}
	code, out2, errOut := runWatchingStderr(t, git(ask, "credential", "fill"), nil)
	if p := gitAnswer(t, out2).get("password"); code != 0 || p == "" || p == want {
		t.Fatalf("after reject, prompts off: exit %d, a new password %v; stderr:\n%s", code, p != "" && p != want, errOut)
	}
	if n := tc.srv.TokenRequests("refresh_token"); n != 1 {
		t.Errorf("after reject: %d refresh requests, want 1", n)
	}
	if n := tc.srv.TokenRequests("authorization_code"); n != 1 {
		t.Errorf("after reject: %d code exchanges (logins), want only the first", n)
	}

	// The credentials are revoked: prompts off, git gets nothing.
	runOK(t, append([]string{"revoke"}, flags...)...)
	code, out2, errOut = runWatchingStderr(t, git(ask, "credential", "fill"), nil)
	if code == 0 || strings.Contains(out2, "password=") || !strings.Contains(errOut, "GIT_TERMINAL_PROMPT is 0") {
		t.Fatalf("credentials revoked, prompts off: exit %d, stdout %q, stderr:\n%s", code, out2, errOut)
	}

	// Prompts on but stderr not a terminal (git in the background): no login.
	fill := git(ask, "credential", "fill")
	fill.Env = append(fill.Env, "GIT_TERMINAL_PROMPT=1")
	code, out2, errOut = runWatchingStderr(t, fill, nil)
	if code == 0 || strings.Contains(out2, "password=") || !strings.Contains(errOut, "not a terminal") || !strings.Contains(errOut, "oauth2client login") {
		t.Fatalf("prompts on, stderr a pipe: exit %d, stdout %q, stderr:\n%s", code, out2, errOut)
	}

	// Prompts on, stderr taken for a terminal: the helper logs in.
	logins := 0
	fill = git(ask, "credential", "fill")
	fill.Env = append(fill.Env, "GIT_TERMINAL_PROMPT=1", testTerminalEnv+"=1")
	code, out2, errOut = runWatchingStderr(t, fill, approveURL(t, &logins))
	if code != 0 || logins != 1 {
		t.Fatalf("credentials revoked, prompts on: exit %d after %d logins; stderr:\n%s", code, logins, errOut)
	}
	if p := gitAnswer(t, out2).get("password"); p == "" || p == want {
		t.Error("after the new login git did not get a new token")
	}
}

// TestGitCredentialOperations: the answer of get in full (expiry, a
// username git gave, the refresh token only when asked), store and unknown
// operations do nothing, and a wrong command line is a usage error.
func TestGitCredentialOperations(t *testing.T) {
	t.Parallel()
	flags := loggedIn(t)
	helper := func(stdin string, args ...string) (int, gitRequest, string) {
		t.Helper()
		cmd := cliCommand(t, append(append([]string{"git-credential"}, flags...), args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		code, out, errOut := runWatchingStderr(t, cmd, nil)
		return code, gitAnswer(t, out), errOut
	}
	// Without --host, no answer, and a message naming --host.
	code, ans, errOut := helper("protocol=https\nhost=h.example\n", "get")
	if code != 0 || len(ans) != 0 || !strings.Contains(errOut, "--host") {
		t.Errorf("get without --host: exit %d, answer keys %v, stderr:\n%s", code, keysOf(ans), errOut)
	}
	code, ans, errOut = helper("protocol=https\nhost=h.example\nusername=me\n", "--host", "h.example", "get")
	if code != 0 || ans.get("username") != "" || ans.get("password") == "" || ans.get("password_expiry_utc") == "" || ans.get("oauth_refresh_token") != "" {
		t.Errorf("get: exit %d, answer keys %v, stderr:\n%s", code, keysOf(ans), errOut)
	}
	code, ans, _ = helper("protocol=https\nhost=h.example\n", "--any-host", "--share-refresh-token", "--username", "x", "get")
	if code != 0 || ans.get("username") != "x" || ans.get("oauth_refresh_token") == "" {
		t.Errorf("get --share-refresh-token: exit %d, answer keys %v", code, keysOf(ans))
	}
	code, ans, _ = helper("protocol=https\nhost=h.example\n", "--host", "other.example", "get")
	if code != 0 || len(ans) != 0 {
		t.Errorf("get for another host: exit %d, answer keys %v", code, keysOf(ans))
	}
	for _, op := range []string{"store", "capability-probe"} {
		if code, ans, errOut := helper("protocol=https\nhost=h.example\npassword=x\n", op); code != 0 || len(ans) != 0 || errOut != "" {
			t.Errorf("%s: exit %d, answer %v, stderr %q", op, code, keysOf(ans), errOut)
		}
	}
	if code, _, _ := helper("", "get", "extra"); code != exitUsage {
		t.Errorf("two operations: exit %d, want %d", code, exitUsage)
	}
	if code, _, errOut := helper("protocol https\n", "get"); code != exitFailure || !strings.Contains(errOut, "key=value") {
		t.Errorf("a malformed request: exit %d, stderr %q", code, errOut)
	}
}

// loggedIn starts a test server, logs in to it with a file store and
// returns the flags naming those credentials.
func loggedIn(t *testing.T) []string {
	t.Helper()
	_, flags := loggedInServer(t)
	return flags
}

// loggedInServer is loggedIn, also returning the server.
func loggedInServer(t *testing.T) (*testClient, []string) {
	t.Helper()
	tc := newTestServer(t, nil)
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--client-secrets", tc.cs, "--scope", "openid", "--store", "file:" + path}
	loginNoBrowser(t, flags)
	return tc, flags
}

// testTerminalEnv, set to 1 for the CLI process, makes it take its stderr
// (a pipe to the test) for a terminal.
const testTerminalEnv = "OAUTH2CLIENT_TEST_STDERR_TERMINAL"

func init() {
	if os.Getenv(testTerminalEnv) == "1" {
		stderrIsTerminal = func(io.Writer) bool { return true }
	}
}

// keysOf returns the keys of an answer, never its values (tokens).
func keysOf(r gitRequest) []string {
	var keys []string
	for k := range r {
		keys = append(keys, k)
	}
	return keys
}
