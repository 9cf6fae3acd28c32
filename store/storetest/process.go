package storetest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
)

// TokenServer is a token endpoint on 127.0.0.1 for refresh tests. It
// answers the n-th refresh request with the access token "at-n" (and,
// when rotating, the refresh token "rt-n"), counts the requests, and
// fails the test for a request that is not a refresh_token grant or that
// does not carry the refresh token a client should hold: the one set with
// Expect (initially "rt-0", as in [ExpiredCredentials]), or when rotating
// the one it last issued.
type TokenServer struct {
	*httptest.Server

	t      testing.TB
	rotate bool

	mu        sync.Mutex
	refreshes int
	want      string
	invalid   bool
}

// NewTokenServer starts a TokenServer that the test closes when it ends.
// With rotate, every answer carries a new refresh token.
func NewTokenServer(t testing.TB, rotate bool) *TokenServer {
	ts := &TokenServer{t: t, rotate: rotate, want: "rt-0"}
	ts.Server = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *TokenServer) serve(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	w.Header().Set("Content-Type", "application/json")
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" {
		ts.t.Errorf("storetest: token request is not a refresh_token grant (%v)", err)
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"unsupported_grant_type"}`)
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.refreshes++
	n := ts.refreshes
	if got := r.PostForm.Get("refresh_token"); got != ts.want {
		ts.t.Errorf("storetest: refresh request %d carried refresh token %q, want %q", n, got, ts.want)
	}
	if ts.invalid {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_grant"}`)
		return
	}
	rt := ""
	if ts.rotate {
		ts.want = fmt.Sprintf("rt-%d", n)
		rt = fmt.Sprintf(`,"refresh_token":%q`, ts.want)
	}
	fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600%s}`, n, rt)
}

// Refreshes returns how many refresh requests the server has answered.
func (ts *TokenServer) Refreshes() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.refreshes
}

// Expect sets the refresh token the next request must carry, for
// credentials seeded with another one than "rt-0".
func (ts *TokenServer) Expect(refreshToken string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.want = refreshToken
}

// SetInvalidGrant makes the server answer every later request with
// invalid_grant (still counting it).
func (ts *TokenServer) SetInvalidGrant(invalid bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.invalid = invalid
}

// ExpiredCredentials returns the stored state of credentials for the token endpoint at
// tokenURI whose access token "old" expired an hour ago and whose refresh
// token is "rt-0".
func ExpiredCredentials(tokenURI string) *oauth2client.CredentialsState {
	return &oauth2client.CredentialsState{
		ClientID: "client", ClientSecret: "secret", TokenURI: tokenURI,
		Token: &oauth2client.Token{AccessToken: "old", RefreshToken: "rt-0", Expiry: time.Now().Add(-time.Hour)},
	}
}

// CheckRefreshedOnce checks, after holders of the [ExpiredCredentials]
// stored under key in s each asked for a token, that exactly one refresh
// request reached the rotating server ts, that every holder got its
// access token "at-1" (got lists what each received), and that s holds
// "at-1" with the rotated refresh token "rt-1".
func CheckRefreshedOnce(t testing.TB, ts *TokenServer, s store.Store, key string, got ...string) {
	t.Helper()
	for i, at := range got {
		if at != "at-1" {
			t.Errorf("holder %d got access token %q, want at-1", i, at)
		}
	}
	if n := ts.Refreshes(); n != 1 {
		t.Errorf("%d refresh requests from %d holders reached the token endpoint, want 1", n, len(got))
	}
	c, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	if tok := c.Token; tok.AccessToken != "at-1" || tok.RefreshToken != "rt-1" {
		t.Errorf("stored token %q / %q, want at-1 / rt-1", tok.AccessToken, tok.RefreshToken)
	}
}

// ConcurrentTokens binds n holders of key, each in the store that open
// returns (the same one or its own) with [store.Bind], so that all start
// from what is stored now; then they ask for a token at once. It returns
// the access token each got ("" after an error, which fails the test).
func ConcurrentTokens(t testing.TB, n int, key string, open func() (store.Store, error)) []string {
	t.Helper()
	ctx := context.Background()
	holders := make([]*oauth2client.Credentials, n)
	for i := range holders {
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		if holders[i], err = store.Bind(ctx, s, key, nil); err != nil {
			t.Fatal(err)
		}
	}
	got := make([]string, n)
	var wg sync.WaitGroup
	for i, c := range holders {
		wg.Go(func() {
			tok, err := c.Token(ctx)
			if err != nil {
				t.Errorf("holder %d: %v", i, err)
				return
			}
			got[i] = tok.AccessToken
		})
	}
	wg.Wait()
	return got
}

// RoleEnv is the environment variable naming the role of a child process
// started by [Command] or [RunChildren].
const RoleEnv = "OAUTH2CLIENT_STORETEST_ROLE"

// readyLine is what a child prints when it waits at the barrier.
const readyLine = "ready"

// HelperProcess runs the body of a child process: call it from a test
// named TestHelperProcess. In a normal test run (RoleEnv unset) it
// returns at once; in a child it runs the handler of the role in RoleEnv
// with a context that ends after two minutes, and exits: 0 when the
// handler returns nil, 1 after printing its error on standard error.
func HelperProcess(roles map[string]func(ctx context.Context) error) {
	role := os.Getenv(RoleEnv)
	if role == "" {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	err := fmt.Errorf("unknown role %q", role)
	if fn, ok := roles[role]; ok {
		err = fn(ctx)
	}
	cancel()
	if err != nil {
		fmt.Fprintf(os.Stderr, "child (%s): %v\n", role, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Ready is for a child started by [RunChildren]: it says the child is
// ready and waits until the parent lets all children go at once, so that
// what each does next overlaps.
func Ready() error {
	fmt.Println(readyLine)
	if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
		return fmt.Errorf("storetest: waiting to be let go: %w", err)
	}
	return nil
}

// TokenChild is the common "token" role: it opens a store, binds the key
// "k" with [store.Bind], waits at [Ready], asks for a token and prints the
// access token on a line of its own.
func TokenChild(ctx context.Context, open func(ctx context.Context) (store.Store, error)) error {
	s, err := open(ctx)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := store.Bind(ctx, s, "k", nil)
	if err != nil {
		return err
	}
	if err := Ready(); err != nil {
		return err
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return err
	}
	fmt.Println(tok.AccessToken)
	return nil
}

// Command returns a command that runs the test binary as a child in role
// (see [HelperProcess]), with env added to this process's environment.
func Command(role string, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), env...), RoleEnv+"="+role)
	return cmd
}

// Child is a running child process that says "ready" on a line of its
// own (as [Ready] does) and then waits for a line on its standard input
// before it goes on.
type Child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr strings.Builder
}

// StartChild starts cmd and waits until it is ready; the test kills it if
// it is still running when the test ends.
func StartChild(t testing.TB, cmd *exec.Cmd) *Child {
	t.Helper()
	c := &Child{cmd: cmd}
	c.cmd.Stderr = &c.stderr
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdout = bufio.NewReader(out)
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c.cmd.ProcessState == nil {
			c.cmd.Process.Kill()
			c.cmd.Wait()
		}
	})
	if line, err := c.stdout.ReadString('\n'); err != nil || line != readyLine+"\n" {
		c.stdin.Close()
		c.cmd.Wait()
		t.Fatalf("child %s: %q, %v; stderr: %s", cmd.Args, line, err, c.stderr.String())
	}
	return c
}

// Go lets the child go on.
func (c *Child) Go() {
	io.WriteString(c.stdin, "go\n")
	c.stdin.Close()
}

// Result waits for the child and returns what it printed after its ready
// line, trimmed of white space. A child that fails fails the test, with
// its standard error.
func (c *Child) Result(t testing.TB) string {
	t.Helper()
	rest, _ := io.ReadAll(c.stdout)
	out := strings.TrimSpace(string(rest))
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("child %s: %v, output %q; stderr: %s", c.cmd.Args, err, out, c.stderr.String())
	}
	return out
}

// RunChildren runs n children of the test binary in role at once, with
// env added to their environment. Each child must call [Ready] once:
// when all have, RunChildren lets them go together, then waits for them
// and returns what each printed after its ready line, trimmed of white
// space. A child that fails fails the test, with its standard error.
func RunChildren(t testing.TB, n int, role string, env ...string) []string {
	t.Helper()
	children := make([]*Child, n)
	for i := range children {
		children[i] = StartChild(t, Command(role, env...))
	}
	// All are ready before any goes: what they do next overlaps.
	for _, c := range children {
		c.Go()
	}
	outs := make([]string, n)
	for i, c := range children {
		outs[i] = c.Result(t)
	}
	return outs
}

// SaveExpired saves, for each key, the [ExpiredCredentials] of tokenURI
// with the refresh token "rt-" + key.
func SaveExpired(t testing.TB, s store.Store, tokenURI string, keys ...string) {
	t.Helper()
	for _, k := range keys {
		st := ExpiredCredentials(tokenURI)
		st.Token.RefreshToken = "rt-" + k
		if err := s.Save(context.Background(), k, st); err != nil {
			t.Fatal(err)
		}
	}
}
