package file

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// The interop tests run Debian's python3-oauth2client (4.1.3) and
// python3-fasteners with /usr/bin/python3.

const pythonPath = "/usr/bin/python3"

// requirePython fails under CI=true when Python oauth2client or fasteners
// is missing, and skips otherwise.
func requirePython(t *testing.T) {
	t.Helper()
	for _, pkg := range []struct{ module, deb string }{{"oauth2client", "python3-oauth2client"}, {"fasteners", "python3-fasteners"}} {
		out, err := exec.Command(pythonPath, "-c", "import "+pkg.module).CombinedOutput()
		if err == nil {
			continue
		}
		msg := "needs Debian's " + pkg.deb + " (apt-get install " + pkg.deb + ") run by " + pythonPath + ": " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
}

func python(t *testing.T, args ...string) *exec.Cmd {
	return exec.Command(pythonPath, append([]string{filepath.Join("testdata", "python", "files.py")}, args...)...)
}

func runPython(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := python(t, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("files.py %s: %v\n%s", strings.Join(args, " "), err, stderr.Bytes())
	}
	return out
}

// pyCreds is what files.py reports of credentials Python read.
type pyCreds struct {
	Class        string   `json:"class"`
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ClientID     string   `json:"client_id"`
	TokenExpiry  string   `json:"token_expiry"`
	Invalid      bool     `json:"invalid"`
	Expired      bool     `json:"expired"`
	Scopes       []string `json:"scopes"`
}

func pythonReads(t *testing.T, args ...string) pyCreds {
	t.Helper()
	var c pyCreds
	if err := json.Unmarshal(runPython(t, args...), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPythonWritesWeRefresh: files Python's file.Storage and
// multiprocess_file_storage wrote are read, refreshed through bound
// credentials and written back; Python then reads the new tokens.
func TestPythonWritesWeRefresh(t *testing.T) {
	requirePython(t)
	ctx := context.Background()
	tests := []struct {
		name   string
		write  func(path, uri string) []string
		read   func(path string) []string
		key    string
		format Format
	}{
		{"file.Storage", func(p, u string) []string { return []string{"write-single", p, u} },
			func(p string) []string { return []string{"read-single", p} }, "any", FormatSingle},
		{"multiprocess_file_storage", func(p, u string) []string { return []string{"write-multi", p, "py-key", u} },
			func(p string) []string { return []string{"read-multi", p, "py-key"} }, "py-key", FormatMultiprocess},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := storetest.NewTokenServer(t, true)
			ts.Expect("py-rt-0")
			path := filepath.Join(t.TempDir(), "creds.json")
			runPython(t, tt.write(path, ts.URL)...)
			if tt.format == FormatMultiprocess {
				runPython(t, "write-multi", path, "other-key", ts.URL)
			}
			s, err := OpenAuto(ctx, path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f, err := s.Format(ctx); err != nil || f != tt.format {
				t.Fatalf("format %v, %v; want %v", f, err, tt.format)
			}
			c, err := store.Bind(ctx, s, tt.key, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.CurrentToken().RefreshToken; got != "py-rt-0" {
				t.Fatalf("read refresh token %q", got)
			}
			tok, err := c.Token(ctx)
			if err != nil || tok.AccessToken != "at-1" {
				t.Fatalf("Token = %v, %v", tok, err)
			}
			if n := ts.Refreshes(); n != 1 {
				t.Errorf("%d refreshes, want 1", n)
			}
			if f, _ := s.Format(ctx); f != tt.format {
				t.Errorf("written back as %v, want %v", f, tt.format)
			}
			got := pythonReads(t, tt.read(path)...)
			if got.AccessToken != "at-1" || got.RefreshToken != "rt-1" || got.Expired || got.Invalid ||
				got.ClientID != "py-client" || !slices.Equal(got.Scopes, []string{"email", "openid"}) {
				t.Errorf("Python read back %+v", got)
			}
			if tt.format == FormatMultiprocess {
				if other := pythonReads(t, "read-multi", path, "other-key"); other.AccessToken != "py-old" {
					t.Errorf("other entry: %+v", other)
				}
			}
		})
	}
}

// TestPythonReadsOurFiles: Python reads files we created, one-credential
// and multiprocess.
func TestPythonReadsOurFiles(t *testing.T) {
	requirePython(t)
	ctx := context.Background()
	dir := t.TempDir()

	single := filepath.Join(dir, "single.json")
	s := must(OpenSingle(single, nil))
	if err := s.Save(ctx, "k", counterCredentials(5)); err != nil {
		t.Fatal(err)
	}
	got := pythonReads(t, "read-single", single)
	if got.RefreshToken != "rt-5" || got.TokenExpiry != "2030-01-01T00:00:00Z" || got.Class != "OAuth2Credentials" {
		t.Errorf("Python read %+v", got)
	}

	multi := filepath.Join(dir, "multi.json")
	s = must(Open(multi, &Options{NewFormat: FormatMultiprocess}))
	for _, k := range []string{"a", "b"} {
		if err := s.Save(ctx, k, counterCredentials(len(k)+6)); err != nil {
			t.Fatal(err)
		}
	}
	if got := pythonReads(t, "read-multi", multi, "b"); got.RefreshToken != "rt-7" || got.Invalid {
		t.Errorf("Python read %+v", got)
	}
}

// TestPythonLocksExcludeUs: a lock Python (fasteners) holds makes us wait
// and time out; a lock we hold makes Python's non-blocking acquire fail.
func TestPythonLocksExcludeUs(t *testing.T) {
	requirePython(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "creds.json")
	s := must(Open(path, &Options{LockTimeout: 100 * time.Millisecond}))
	if err := s.Save(ctx, "k", counterCredentials(1)); err != nil {
		t.Fatal(err)
	}

	cmd := python(t, "hold-lock", path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("Python holder: %q, %v", line, err)
	}
	if err := s.Save(ctx, "k", counterCredentials(2)); err == nil || !strings.Contains(err.Error(), path+".lock") {
		t.Errorf("Save while Python holds the lock: %v; want a timeout naming the lock file", err)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}

	if out := strings.TrimSpace(string(runPython(t, "try-lock", path))); out != "acquired" {
		t.Fatalf("Python try-lock on a free lock: %s", out)
	}
	holder, release := startHolder(t, path)
	if out := strings.TrimSpace(string(runPython(t, "try-lock", path))); out != "busy" {
		t.Errorf("Python try-lock while we hold the lock: %s, want busy", out)
	}
	release.Close()
	holder.Wait()
}
