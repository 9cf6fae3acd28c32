package keyring

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// Environment of a re-executed child (see TestHelperProcess).
const (
	envChildService = "OAUTH2CLIENT_KEYRING_TEST_SERVICE"
	envChildLock    = "OAUTH2CLIENT_KEYRING_TEST_LOCK"
	envChildCount   = "OAUTH2CLIENT_KEYRING_TEST_COUNT"
)

// TestHelperProcess is the body of child processes, not a test: the role
// in envChildRole selects what it does.
//   - "increment": envChildCount Updates adding one to the key "n".
//   - "token": binds the key "k" and prints the access token it gets.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(envChildRole)
	if role == "" {
		return
	}
	err := helperProcess(role)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func helperProcess(role string) error {
	ctx := context.Background()
	s, err := New(os.Getenv(envChildService), &Options{LockPath: os.Getenv(envChildLock), ChunkSize: MinChunkSize})
	if err != nil {
		return err
	}
	defer s.Close()
	switch role {
	case "increment":
		n, err := strconv.Atoi(os.Getenv(envChildCount))
		if err != nil {
			return err
		}
		for range n {
			if err := increment(ctx, s, "n"); err != nil {
				return err
			}
		}
		return nil
	case "token":
		c, err := store.Bind(ctx, s, "k", nil)
		if err != nil {
			return err
		}
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		fmt.Println(tok.AccessToken)
		return nil
	}
	return fmt.Errorf("unknown role %q", role)
}

// runChildren starts n copies of the test binary in role and waits for
// them all, returning their standard outputs.
func runChildren(t *testing.T, n int, role string, env ...string) []string {
	t.Helper()
	outs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), append(env, envChildRole+"="+role)...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			if err := cmd.Wait(); err != nil {
				t.Errorf("child %d (%s): %v\n%s", i, role, err, stderr.String())
			}
			outs[i] = strings.TrimSpace(stdout.String())
		})
	}
	wg.Wait()
	return outs
}

func TestProcessesUpdate(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	// Small chunks: every write replaces several items, so an interleaved
	// write would show as a lost increment or a broken value.
	s := openStore(t, &Options{ChunkSize: MinChunkSize})
	if err := s.Save(ctx, "n", storetest.Credentials("0", expiry)); err != nil {
		t.Fatal(err)
	}
	const procs, each = 4, 8
	runChildren(t, procs, "increment",
		envChildService+"="+s.service, envChildLock+"="+s.LockPath(), envChildCount+"="+strconv.Itoa(each))
	if got, want := loadAccess(t, s, "n"), strconv.Itoa(procs*each); got != want {
		t.Errorf("counter = %s after %d increments in %d processes", got, procs*each, procs)
	}
	if keys, err := s.List(ctx); err != nil || len(keys) != 1 || keys[0] != "n" {
		t.Errorf("List = %v, %v; want [n]", keys, err)
	}
}

func TestProcessesRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	s := openStore(t, nil)
	var refreshes atomic.Int32
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := refreshes.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":"new-%d","refresh_token":"rotated-%d","expires_in":3600}`, n, n)
	}))
	defer ts.Close()
	c := oauth2client.NewCredentials(oauth2client.CredentialsConfig{ClientID: "c", TokenURI: ts.URL},
		&oauth2client.Token{AccessToken: "old", RefreshToken: "r", Expiry: time.Now().Add(-time.Hour)})
	if err := s.Save(ctx, "k", c); err != nil {
		t.Fatal(err)
	}
	outs := runChildren(t, 4, "token", envChildService+"="+s.service, envChildLock+"="+s.LockPath())
	for i, out := range outs {
		if out != "new-1" {
			t.Errorf("child %d got access token %q, want new-1", i, out)
		}
	}
	if n := refreshes.Load(); n != 1 {
		t.Errorf("%d refresh requests from 4 processes, want 1", n)
	}
	got, err := s.Load(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if rt := got.CurrentToken().RefreshToken; rt != "rotated-1" {
		t.Errorf("stored refresh token %q, want rotated-1", rt)
	}
}
