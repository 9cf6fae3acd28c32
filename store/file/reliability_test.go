package file

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// Environment of the reliability children (see reliabilityRoles).
const (
	envKey     = "FILESTORE_KEY"
	envUpdates = "FILESTORE_UPDATES"
)

// reliabilityRoles are the children of the reliability tests.
var reliabilityRoles = map[string]func(context.Context) error{
	// Refresh the key FILESTORE_KEY through bound credentials, at once,
	// and print the access token and how long it took.
	"token-key": func(ctx context.Context) error {
		s, err := OpenAuto(ctx, os.Getenv(envPath), nil)
		if err != nil {
			return err
		}
		start := time.Now()
		c, err := store.Bind(ctx, s, os.Getenv(envKey), nil)
		if err != nil {
			return err
		}
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		fmt.Println(tok.AccessToken, time.Since(start).Milliseconds())
		return nil
	},
	// Force FILESTORE_UPDATES refreshes of FILESTORE_KEY through bound
	// credentials (each a token request and a write), after the barrier;
	// print how many were not found stored afterwards.
	"refresher": func(ctx context.Context) error {
		s, err := OpenAuto(ctx, os.Getenv(envPath), &Options{LockTimeout: time.Minute})
		if err != nil {
			return err
		}
		key := os.Getenv(envKey)
		n, _ := strconv.Atoi(os.Getenv(envUpdates))
		c, err := store.Bind(ctx, s, key, nil)
		if err != nil {
			return err
		}
		if err := storetest.Ready(); err != nil {
			return err
		}
		lost := 0
		for range n {
			tok, err := c.Refresh(ctx)
			if err != nil {
				return err
			}
			if got, err := s.Load(ctx, key); err != nil || got.Token.AccessToken != tok.AccessToken {
				lost++
			}
		}
		fmt.Println(lost)
		return nil
	},
}

// countingTokenServer answers every refresh after delay with a new access
// token ("at-N"), keeping the refresh token.
func countingTokenServer(t *testing.T, delay time.Duration) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"at-%d","token_type":"Bearer","expires_in":3600}`, n.Add(1))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// pythonUpdater is a running "files.py updates" child.
type pythonUpdater struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr strings.Builder
}

// startPythonUpdates starts Python putting n credentials under key of the
// multiprocess file at path, waiting at its barrier until go is called.
func startPythonUpdates(t *testing.T, path, key string, n int, tokenURI string) *pythonUpdater {
	t.Helper()
	p := &pythonUpdater{cmd: python(t, "updates", path, key, strconv.Itoa(n), tokenURI)}
	p.cmd.Stderr = &p.stderr
	var err error
	if p.stdin, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.stdout = bufio.NewReader(out)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
	if line, err := p.stdout.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("files.py updates: %q, %v; stderr: %s", line, err, p.stderr.String())
	}
	return p
}

func (p *pythonUpdater) start() { io.WriteString(p.stdin, "go\n") }

// result waits for the child and returns its puts and lost writes.
func (p *pythonUpdater) result(t *testing.T) (puts, lost int) {
	t.Helper()
	var r struct{ Puts, Lost int }
	rest, _ := io.ReadAll(p.stdout)
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("files.py updates: %v; stderr: %s", err, p.stderr.String())
	}
	if err := json.Unmarshal(rest, &r); err != nil {
		t.Fatalf("files.py updates printed %q: %v", rest, err)
	}
	return r.Puts, r.Lost
}

// checkPythonKey checks that key of the file at path holds the last of n
// credentials Python put.
func checkPythonKey(t *testing.T, s *Store, key string, n int) {
	t.Helper()
	got, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Python's key %s: %v", key, err)
	}
	if want := fmt.Sprintf("%s-%d", key, n); got.Token.RefreshToken != want {
		t.Errorf("Python's key %s holds %q, want its last put %q", key, got.Token.RefreshToken, want)
	}
}

// TestReliabilityHungEndpoint: the token endpoint hangs for key A of a
// many-credential file (Python's multiprocess format). While A's bound
// refresh is stuck in its request, holding A's refresh lock, a Load and a
// bound refresh of B in this process, a bound refresh of C in another
// process, and a Python MultiprocessFileStorage writing its own key, all
// on the same file, go on at once; Python loses no write.
func TestReliabilityHungEndpoint(t *testing.T) {
	requirePython(t)
	ctx := context.Background()
	ts := storetest.NewHungTokenServer(t, "rt-a")
	path := filepath.Join(t.TempDir(), "creds.json")
	s := must(Open(path, &Options{NewFormat: FormatMultiprocess}))
	for _, k := range []string{"a", "b", "c"} {
		st := storetest.ExpiredCredentials(ts.URL)
		st.Token.RefreshToken = "rt-" + k
		if err := s.Save(ctx, k, st); err != nil {
			t.Fatal(err)
		}
	}
	const pyPuts = 50
	py := startPythonUpdates(t, path, "py", pyPuts, ts.URL)

	a, err := store.Bind(ctx, s, "a", nil)
	if err != nil {
		t.Fatal(err)
	}
	aDone := make(chan error, 1)
	go func() {
		_, err := a.Token(ctx)
		aDone <- err
	}()
	<-ts.Hung()
	pyStart := time.Now()
	py.start()

	// Everything below must finish within the store's lock timeout,
	// which a reader stuck behind A's refresh would have needed.
	limit, cancel := context.WithTimeout(ctx, DefaultLockTimeout)
	defer cancel()
	start := time.Now()
	if _, err := s.Load(limit, "b"); err != nil {
		t.Fatalf("Load(b) during a's hung refresh: %v", err)
	}
	loadTook := time.Since(start)
	b, err := store.Bind(limit, s, "b", nil)
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	tok, err := b.Token(limit)
	if err != nil || tok.AccessToken != "at-for-rt-b" {
		t.Fatalf("bound Token(b) during a's hung refresh: %v, %v", tok, err)
	}
	tokenTook := time.Since(start)

	cmd := storetest.Command("token-key", envPath+"="+path, envKey+"=c")
	start = time.Now()
	stop := context.AfterFunc(limit, func() { cmd.Process.Kill() })
	out, err := cmd.CombinedOutput()
	stop()
	if err != nil {
		t.Fatalf("another process's Token(c) during a's hung refresh: %v\n%s", err, out)
	}
	childTook := time.Since(start)
	if f := strings.Fields(string(out)); len(f) != 2 || f[0] != "at-for-rt-c" {
		t.Fatalf("another process's Token(c): %q", out)
	}

	puts, lost := py.result(t)
	pyTook := time.Since(pyStart)
	select {
	case err := <-aDone:
		t.Fatalf("a's refresh ended while its endpoint hung: %v", err)
	default:
	}
	ts.Release()
	if err := <-aDone; err != nil {
		t.Fatalf("a after its endpoint answered: %v", err)
	}
	if got, err := s.Load(ctx, "a"); err != nil || got.Token.AccessToken != "at-for-rt-a" {
		t.Errorf("stored a: %v, %v", got, err)
	}
	checkPythonKey(t, s, "py", pyPuts)
	t.Logf("reliability: hung endpoint: while key a's refresh hung, Load(b) took %v, bound Token(b) %v, another process's Token(c) %v (process start included), Python's %d puts ended within %v: %d lost",
		loadTook.Round(time.Microsecond), tokenTook.Round(time.Microsecond), childTook.Round(time.Millisecond), puts, pyTook.Round(time.Millisecond), lost)
	if lost != 0 {
		t.Errorf("Python lost %d of %d writes while a's refresh hung", lost, puts)
	}
}

// TestReliabilityGoAndPython: Go processes refreshing their keys (each a
// token request of 20 ms and a write) and Python processes putting theirs,
// all on one multiprocess-format file at once; no write is lost on either
// side.
func TestReliabilityGoAndPython(t *testing.T) {
	requirePython(t)
	const goProcs, pyProcs, each = 4, 2, 100
	srv, requests := countingTokenServer(t, 20*time.Millisecond)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "creds.json")
	s := must(Open(path, &Options{NewFormat: FormatMultiprocess}))
	for i := range goProcs {
		st := storetest.ExpiredCredentials(srv.URL)
		st.Token.RefreshToken = fmt.Sprintf("rt-go-%d", i)
		if err := s.Save(ctx, fmt.Sprintf("go-%d", i), st); err != nil {
			t.Fatal(err)
		}
	}
	pys := make([]*pythonUpdater, pyProcs)
	for i := range pys {
		pys[i] = startPythonUpdates(t, path, fmt.Sprintf("py-%d", i), each, srv.URL)
	}
	gos := make([]*child, goProcs)
	for i := range gos {
		gos[i] = startChild(t, "refresher", envPath+"="+path, envKey+"=go-"+strconv.Itoa(i), envUpdates+"="+strconv.Itoa(each))
	}
	// All are ready: let them go together.
	start := time.Now()
	for _, c := range gos {
		c.start()
	}
	for _, p := range pys {
		p.start()
	}
	goLost := make([]string, goProcs)
	for i, c := range gos {
		goLost[i] = c.result(t)
	}
	lostGo := 0
	for i, out := range goLost {
		n, err := strconv.Atoi(out)
		if err != nil {
			t.Fatalf("Go child %d printed %q", i, out)
		}
		lostGo += n
	}
	lostPy, putsPy := 0, 0
	for i, p := range pys {
		puts, lost := p.result(t)
		putsPy += puts
		lostPy += lost
		if lost == 0 {
			checkPythonKey(t, s, fmt.Sprintf("py-%d", i), each)
		}
	}
	took := time.Since(start)
	for i := range goProcs {
		if _, err := s.Load(ctx, fmt.Sprintf("go-%d", i)); err != nil {
			t.Errorf("Go key %d: %v", i, err)
		}
	}
	t.Logf("reliability: go+python: %d Go processes × %d refreshes (%d token requests of 20 ms) and %d Python processes × %d puts on one file in %v: Go %d lost, Python %d of %d lost",
		goProcs, each, requests.Load(), pyProcs, each, took.Round(time.Millisecond), lostGo, lostPy, putsPy)
	if lostGo != 0 || lostPy != 0 {
		t.Errorf("lost writes: Go %d, Python %d", lostGo, lostPy)
	}
}

// child is a running child of this test binary waiting at storetest.Ready.
type child struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr strings.Builder
}

// startChild starts a child in role with env added and waits until it is
// ready.
func startChild(t *testing.T, role string, env ...string) *child {
	t.Helper()
	c := &child{cmd: storetest.Command(role, env...)}
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
	if line, err := c.stdout.ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("child %s: %q, %v; stderr: %s", role, line, err, c.stderr.String())
	}
	return c
}

func (c *child) start() {
	io.WriteString(c.stdin, "go\n")
	c.stdin.Close()
}

// result waits for the child and returns what it printed, trimmed.
func (c *child) result(t *testing.T) string {
	t.Helper()
	rest, _ := io.ReadAll(c.stdout)
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child: %v, output %q; stderr: %s", err, rest, c.stderr.String())
	}
	return strings.TrimSpace(string(rest))
}
