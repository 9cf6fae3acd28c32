package file

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// The cross-process tests re-run this test binary as a child in a role
// (see storetest.HelperProcess), with FILESTORE_PATH naming the file.
const envPath = "FILESTORE_PATH"

// TestHelperProcess is the child's body; it does nothing in a normal run.
func TestHelperProcess(t *testing.T) {
	open := func(ctx context.Context) (*Store, error) {
		return OpenAuto(ctx, os.Getenv(envPath), &Options{LockTimeout: time.Minute})
	}
	roles := map[string]func(context.Context) error{
		// Ask for a token through credentials bound to the store.
		"token": func(ctx context.Context) error {
			return storetest.TokenChild(ctx, func(ctx context.Context) (store.Store, error) { return open(ctx) })
		},
		// Save forever; each Save carries the next refresh token counter,
		// printed once committed.
		"writer": func(ctx context.Context) error {
			s, err := open(ctx)
			if err != nil {
				return err
			}
			n := 0
			if c, err := s.Load(ctx, "k"); err == nil {
				n = counter(c)
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			for {
				n++
				if err := s.Save(ctx, "k", counterCredentials(n)); err != nil {
					return err
				}
				fmt.Println(n)
			}
		},
		// Report what Load and Save do (for the read-only folder test).
		"save": func(ctx context.Context) error {
			s, err := open(ctx)
			if err != nil {
				return err
			}
			if _, err := s.Load(ctx, "k"); err != nil {
				fmt.Println("load:", err)
			} else {
				fmt.Println("load ok")
			}
			fmt.Println("save:", s.Save(ctx, "k", counterCredentials(99)))
			return nil
		},
		// Hold the exclusive lock until stdin closes.
		"hold": func(ctx context.Context) error {
			s, err := open(ctx)
			if err != nil {
				return err
			}
			unlock, err := s.lock(ctx, true)
			if err != nil {
				return err
			}
			fmt.Println("locked")
			io.Copy(io.Discard, os.Stdin)
			unlock()
			return nil
		},
	}
	for name, fn := range reliabilityRoles {
		roles[name] = fn
	}
	storetest.HelperProcess(roles)
}

// helper returns the command that runs this binary as a child in role.
func helper(role, path string) *exec.Cmd {
	cmd := storetest.Command(role, envPath+"="+path)
	cmd.Stderr = os.Stderr
	return cmd
}

// counterCredentials are credentials whose refresh token carries n, with a
// long access token so that a write takes a moment.
func counterCredentials(n int) *oauth2client.CredentialsState {
	return &oauth2client.CredentialsState{
		ClientID: "client", ClientSecret: "secret", TokenURI: "http://127.0.0.1:1/token",
		Scopes: []string{"a", "b"},
		Token: &oauth2client.Token{AccessToken: strings.Repeat("x", 4096) + strconv.Itoa(n),
			RefreshToken: "rt-" + strconv.Itoa(n), Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
}

func counter(c *oauth2client.CredentialsState) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(c.Token.RefreshToken, "rt-"))
	return n
}

// seedExpired saves expired credentials under "k" at path in format f.
func seedExpired(t *testing.T, path string, f Format, tokenURI string) {
	t.Helper()
	var s *Store
	var err error
	if f == FormatSingle {
		s, err = OpenSingle(path, nil)
	} else {
		s, err = Open(path, &Options{NewFormat: f})
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(context.Background(), "k", storetest.ExpiredCredentials(tokenURI)); err != nil {
		t.Fatal(err)
	}
}

// checkRefreshedOnce checks that holders of the expired credentials at
// path, which got the access tokens got, made one refresh request.
func checkRefreshedOnce(t *testing.T, ts *storetest.TokenServer, path string, got ...string) {
	t.Helper()
	s, err := OpenAuto(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckRefreshedOnce(t, ts, s, "k", got...)
}

// TestProcessesRefreshOnce: 16 processes sharing one file whose token has
// expired each ask for a token; one refresh reaches the token endpoint.
func TestProcessesRefreshOnce(t *testing.T) {
	for _, f := range []Format{FormatSingle, FormatGo, FormatMultiprocess, FormatMultistore} {
		t.Run(f.String(), func(t *testing.T) {
			ts := storetest.NewTokenServer(t, true)
			path := filepath.Join(t.TempDir(), "creds.json")
			seedExpired(t, path, f, ts.URL)
			outs := storetest.RunChildren(t, 16, "token", envPath+"="+path)
			checkRefreshedOnce(t, ts, path, outs...)
		})
	}
}

// TestGoroutinesRefreshOnce: 16 goroutines, each with its own Store on one
// path, ask for a token; one refresh reaches the token endpoint.
func TestGoroutinesRefreshOnce(t *testing.T) {
	ts := storetest.NewTokenServer(t, true)
	path := filepath.Join(t.TempDir(), "creds.json")
	seedExpired(t, path, FormatGo, ts.URL)
	got := storetest.ConcurrentTokens(t, 16, "k", func() (store.Store, error) { return Open(path, nil) })
	checkRefreshedOnce(t, ts, path, got...)
}

// sigkills is how many children TestReliabilitySIGKILL kills.
var sigkills = flag.Int("sigkills", 200, "how many writers TestReliabilitySIGKILL kills (at least 100 under CI=true)")

// TestReliabilitySIGKILL kills a child that saves in a loop at random
// moments; the file always holds a complete credential, the last committed
// one or the one being written.
func TestReliabilitySIGKILL(t *testing.T) {
	rounds := *sigkills
	if testing.Short() && os.Getenv("CI") != "true" {
		rounds = min(rounds, 20)
	}
	if os.Getenv("CI") == "true" {
		rounds = max(rounds, 100)
	}
	var commits, midWrite int
	formats := []Format{FormatSingle, FormatGo, FormatMultiprocess, FormatMultistore}
	dir := t.TempDir()
	paths := make([]string, len(formats))
	for i, f := range formats {
		paths[i] = filepath.Join(dir, fmt.Sprintf("creds-%d.json", i))
		if f == FormatSingle {
			continue // created by the child's first Save
		}
		s, _ := Open(paths[i], &Options{NewFormat: f})
		if err := s.Save(context.Background(), "other", counterCredentials(-1)); err != nil {
			t.Fatal(err)
		}
	}
	last := make([]int, len(formats))
	for round := range rounds {
		i := round % len(formats)
		cmd := helper("writer", paths[i])
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = nil
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(stdout)
		// Kill after a random number of commits plus a random delay.
		for range rand.IntN(4) {
			if lines.Scan() {
				last[i], _ = strconv.Atoi(lines.Text())
				commits++
			}
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
		cmd.Process.Signal(syscall.SIGKILL)
		for lines.Scan() {
			last[i], _ = strconv.Atoi(lines.Text())
			commits++
		}
		cmd.Wait()

		s, err := OpenAuto(context.Background(), paths[i], nil)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		c, err := s.Load(context.Background(), "k")
		if errors.Is(err, store.ErrNotFound) && last[i] == 0 {
			continue // killed before the first commit
		}
		if err != nil {
			t.Fatalf("round %d (%v): %v", round, formats[i], err)
		}
		got := counter(c)
		if got == last[i]+1 {
			midWrite++ // killed after the rename, before it printed
		}
		if got != last[i] && got != last[i]+1 {
			t.Fatalf("round %d (%v): file holds rt-%d, last committed rt-%d", round, formats[i], got, last[i])
		}
		if !strings.HasSuffix(c.Token.AccessToken, strconv.Itoa(got)) {
			t.Fatalf("round %d: access token does not match refresh token rt-%d", round, got)
		}
		last[i] = got
		if tmps, _ := filepath.Glob(filepath.Join(dir, "."+filepath.Base(paths[i])+".tmp-*")); len(tmps) > 1 {
			t.Fatalf("round %d: temp files pile up: %q", round, tmps)
		}
		if formats[i] != FormatSingle {
			if _, err := s.Load(context.Background(), "other"); err != nil {
				t.Fatalf("round %d: other entry: %v", round, err)
			}
		}
	}
	t.Logf("reliability: sigkill: %d writers killed mid-loop over %d formats; %d commits reported, %d more found committed though killed before reporting; 0 corrupt, 0 lost", rounds, len(formats), commits, midWrite)
}

// startHolder starts a child holding the exclusive lock on path's lock
// file and returns it with the pipe that releases it when closed.
func startHolder(t *testing.T, path string) (*exec.Cmd, io.WriteCloser) {
	t.Helper()
	cmd := helper("hold", path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("holder: %q, %v", line, err)
	}
	return cmd, stdin
}

// TestLockHeldByLiveProcess: a lock held by a live process makes an
// operation fail after LockTimeout, naming the lock file; nothing is lost.
func TestLockHeldByLiveProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "creds.json")
	seedExpired(t, path, FormatGo, "http://127.0.0.1:1/token")
	before, _ := os.ReadFile(path)
	cmd, release := startHolder(t, path)
	s, _ := Open(path, &Options{LockTimeout: 100 * time.Millisecond})
	err := s.Save(ctx, "k", counterCredentials(1))
	if !errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), path+".lock") {
		t.Errorf("Save under a held lock: %v; want ErrLockTimeout naming %s.lock", err, path)
	}
	if _, err := s.Load(ctx, "k"); !errors.Is(err, ErrLockTimeout) {
		t.Errorf("Load under a held lock: %v; want ErrLockTimeout", err)
	}
	// The caller's own context ending is reported as such.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Save(cctx, "k", counterCredentials(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("Save with a canceled context: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("file changed")
	}
	release.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	s.opts.LockTimeout = time.Minute
	if err := s.Save(ctx, "k", counterCredentials(1)); err != nil {
		t.Errorf("Save after the holder released the lock: %v", err)
	}
}

// TestLockLeftByDeadProcess: a lock file left by a process killed while
// holding the lock does not block.
func TestLockLeftByDeadProcess(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "creds.json")
	seedExpired(t, path, FormatGo, "http://127.0.0.1:1/token")
	cmd, _ := startHolder(t, path)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(path + ".lock"); err != nil {
		t.Fatalf("lock file: %v", err)
	}
	s, _ := Open(path, &Options{LockTimeout: time.Minute})
	if err := s.Save(ctx, "k", counterCredentials(7)); err != nil {
		t.Fatal(err)
	}
	if c, err := s.Load(ctx, "k"); err != nil || counter(c) != 7 {
		t.Fatalf("Load: %v", err)
	}
}
