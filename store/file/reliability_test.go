package file

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
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

// startPythonUpdates starts Python putting n credentials under key of the
// multiprocess file at path; it waits at its barrier until Go is called.
func startPythonUpdates(t *testing.T, path, key string, n int, tokenURI string) *storetest.Child {
	t.Helper()
	return storetest.StartChild(t, python(t, "updates", path, key, strconv.Itoa(n), tokenURI))
}

// pythonResult waits for a Python updater and returns its puts and lost
// writes.
func pythonResult(t *testing.T, py *storetest.Child) (puts, lost int) {
	t.Helper()
	var r struct{ Puts, Lost int }
	out := py.Result(t)
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("files.py updates printed %q: %v", out, err)
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
	storetest.SaveExpired(t, s, ts.URL, "a", "b", "c")
	const pyPuts = 50
	py := startPythonUpdates(t, path, "py", pyPuts, ts.URL)

	aDone := ts.HungRefresh(t, s, "a")
	pyStart := time.Now()
	py.Go()

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

	puts, lost := pythonResult(t, py)
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
		storetest.SaveExpired(t, s, srv.URL, fmt.Sprintf("go-%d", i))
	}
	pys := make([]*storetest.Child, pyProcs)
	for i := range pys {
		pys[i] = startPythonUpdates(t, path, fmt.Sprintf("py-%d", i), each, srv.URL)
	}
	gos := make([]*storetest.Child, goProcs)
	for i := range gos {
		gos[i] = storetest.StartChild(t, storetest.Command("refresher", envPath+"="+path, envKey+"=go-"+strconv.Itoa(i), envUpdates+"="+strconv.Itoa(each)))
	}
	// All are ready: let them go together.
	start := time.Now()
	for _, c := range gos {
		c.Go()
	}
	for _, p := range pys {
		p.Go()
	}
	goLost := make([]string, goProcs)
	for i, c := range gos {
		goLost[i] = c.Result(t)
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
		puts, lost := pythonResult(t, p)
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
