package sqlstore_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore"
)

// Environment of a helper process.
const (
	envRole    = "SQLSTORE_HELPER_ROLE" // "token"
	envDialect = "SQLSTORE_HELPER_DIALECT"
	envTarget  = "SQLSTORE_HELPER_TARGET" // SQLite path or PostgreSQL DSN
	envTable   = "SQLSTORE_HELPER_TABLE"
)

// TestHelperProcess is a child of TestCrossProcessRefreshOnce: it opens the
// store, says "ready", waits for a line on stdin, asks the bound
// credentials for a token and prints it.
func TestHelperProcess(t *testing.T) {
	if os.Getenv(envRole) != "token" {
		t.Skip("helper process, run by TestCrossProcessRefreshOnce")
	}
	err := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		opts := &sqlstore.Options{Table: os.Getenv(envTable)}
		var s *sqlstore.Store
		var err error
		if os.Getenv(envDialect) == "sqlite" {
			s, err = sqlstore.OpenSQLite(ctx, os.Getenv(envTarget), opts)
		} else {
			s, err = sqlstore.OpenPostgres(ctx, os.Getenv(envTarget), opts)
		}
		if err != nil {
			return err
		}
		defer s.Close()
		c, err := store.Bind(ctx, s, "shared", nil)
		if err != nil {
			return err
		}
		fmt.Println("ready")
		if _, err := bufio.NewReader(os.Stdin).ReadString('\n'); err != nil {
			return err
		}
		tok, err := c.Token(ctx)
		if err != nil {
			return err
		}
		fmt.Println("token", tok.AccessToken)
		return nil
	}()
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestCrossProcessRefreshOnce: 4 processes sharing one store whose token
// has expired each ask for a token at the same moment; exactly one refresh
// request reaches the token endpoint and all get its token.
func TestCrossProcessRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	cases := []struct {
		name   string
		target func(t *testing.T) (dialect, target string)
	}{
		{"sqlite", func(t *testing.T) (string, string) { return "sqlite", filepath.Join(t.TempDir(), "shared.db") }},
		{"postgres", func(t *testing.T) (string, string) { return "postgres", postgresDSN(t) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var refreshes atomic.Int32
			ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != "refresh_token" || r.PostForm.Get("refresh_token") != "rt-0" {
					t.Errorf("token request %v (%v)", r.PostForm, err)
				}
				n := refreshes.Add(1)
				w.Header().Set("Content-Type", "application/json")
				fmt.Fprintf(w, `{"access_token":"at-%d","refresh_token":"rt-%d","token_type":"Bearer","expires_in":3600}`, n, n)
			}))
			defer ts.Close()

			dialect, target := c.target(t)
			table := uniqueTable()
			var s *sqlstore.Store
			if dialect == "sqlite" {
				s = openSQLite(t, target, &sqlstore.Options{Table: table})
			} else {
				s = openPostgres(t, target, &sqlstore.Options{Table: table})
			}
			cred := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
				ClientID: "client", ClientSecret: "secret", TokenURI: ts.URL,
			}, &oauth2client.Token{AccessToken: "expired", RefreshToken: "rt-0", Expiry: time.Now().Add(-time.Hour)})
			if err := s.Save(ctx, "shared", cred); err != nil {
				t.Fatal(err)
			}

			const n = 4
			type child struct {
				cmd    *exec.Cmd
				stdin  io.WriteCloser
				stdout *bufio.Reader
				stderr strings.Builder
			}
			children := make([]*child, n)
			for i := range children {
				ch := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")}
				ch.cmd.Env = append(os.Environ(), envRole+"=token", envDialect+"="+dialect, envTarget+"="+target, envTable+"="+table)
				ch.cmd.Stderr = &ch.stderr
				var err error
				if ch.stdin, err = ch.cmd.StdinPipe(); err != nil {
					t.Fatal(err)
				}
				out, err := ch.cmd.StdoutPipe()
				if err != nil {
					t.Fatal(err)
				}
				ch.stdout = bufio.NewReader(out)
				if err := ch.cmd.Start(); err != nil {
					t.Fatal(err)
				}
				defer ch.cmd.Process.Kill()
				children[i] = ch
			}
			// All are ready before any asks: the asks overlap.
			for i, ch := range children {
				if line, err := ch.stdout.ReadString('\n'); err != nil || line != "ready\n" {
					t.Fatalf("child %d: %q, %v; stderr: %s", i, line, err, ch.stderr.String())
				}
			}
			for _, ch := range children {
				io.WriteString(ch.stdin, "go\n")
			}
			for i, ch := range children {
				rest, _ := io.ReadAll(ch.stdout)
				err := ch.cmd.Wait()
				if err != nil || !strings.Contains(string(rest), "token at-1\n") {
					t.Errorf("child %d: %v, output %q, stderr: %s", i, err, rest, ch.stderr.String())
				}
			}
			if got := refreshes.Load(); got != 1 {
				t.Errorf("%d refresh requests reached the token endpoint, want 1", got)
			}
			stored, err := s.Load(ctx, "shared")
			if err != nil {
				t.Fatal(err)
			}
			if tok := stored.CurrentToken(); tok.AccessToken != "at-1" || tok.RefreshToken != "rt-1" {
				t.Errorf("stored token %q / %q, want at-1 / rt-1", tok.AccessToken, tok.RefreshToken)
			}
		})
	}
}
