package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"

	// The packages the README's programs use beyond this example's own, so
	// that go mod tidy keeps their requirements and sums in this module.
	_ "github.com/oauth2client/oauth2client/store/file"
	_ "github.com/oauth2client/oauth2client/store/spec"
	_ "github.com/oauth2client/oauth2client/tools"
	_ "github.com/oauth2client/oauth2client/web"
)

// readmeGoBlocks returns the ```go blocks of the repository's README.md,
// each with the line it starts on.
func readmeGoBlocks(t *testing.T) (blocks []string, lines []int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var cur *strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur == nil && strings.TrimSpace(line) == "```go":
			cur = new(strings.Builder)
			lines = append(lines, n+1)
		case cur != nil && strings.TrimSpace(line) == "```":
			blocks = append(blocks, cur.String())
			cur = nil
		case cur != nil:
			cur.WriteString(line + "\n")
		}
	}
	if cur != nil {
		t.Fatal("README.md: a ```go block is not closed")
	}
	return blocks, lines
}

// TestREADMEGoBlocksBuild builds every Go block of README.md as the program
// it is, in this module (which has google.golang.org/api and replaces the
// library with the checkout), so that the README cannot rot: a renamed
// function or a missing import fails here. go vet runs on them too.
func TestREADMEGoBlocksBuild(t *testing.T) {
	blocks, lines := readmeGoBlocks(t)
	if len(blocks) < 2 {
		t.Fatalf("README.md has %d Go blocks; the quickstart and storage programs are expected", len(blocks))
	}
	for i, src := range blocks {
		t.Run(fmt.Sprintf("line%d", lines[i]), func(t *testing.T) {
			if !strings.HasPrefix(src, "package main\n") {
				t.Fatalf("README.md:%d: a Go block must be a whole program (package main, imports), so that readers can run it", lines[i])
			}
			dir := t.TempDir()
			file := filepath.Join(dir, "main.go")
			if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			prog := filepath.Join(dir, "prog")
			for _, args := range [][]string{{"build", "-o", prog, file}, {"vet", file}} {
				ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
				defer cancel()
				cmd := exec.CommandContext(ctx, "go", args...)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("README.md:%d: go %s: %v\n%s", lines[i], args[0], err, out)
				}
			}
			if strings.Contains(src, `"credentials.dat"`) {
				runStorageProgram(t, prog)
			}
		})
	}
}

// runStorageProgram runs the README's storage program in a folder holding
// an expired Python credentials.dat whose token URI is an oauth2test
// server: it must import the file into SQLite and refresh once.
func runStorageProgram(t *testing.T, prog string) {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	if err := srv.RegisterClient(oauth2test.Client{ID: "app", Secret: "app-secret", AnyLoopbackRedirect: true}); err != nil {
		t.Fatal(err)
	}
	access, refresh := srv.MintToken("app", "alice", []string{"email"}, time.Hour)
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "app", ClientSecret: "app-secret", TokenURI: srv.URL + oauth2test.PathToken,
	}, &oauth2client.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)})
	data, err := json.Marshal(creds) // the format oauth2client.file.Storage writes
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "credentials.dat"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "valid until ") {
		t.Fatalf("the storage program: %v\n%s", err, out)
	}
	if n := srv.TokenRequests("refresh_token"); n != 1 {
		t.Errorf("the storage program made %d refresh requests, want 1", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "creds.db")); err != nil {
		t.Errorf("the storage program left no SQLite store: %v", err)
	}
}
