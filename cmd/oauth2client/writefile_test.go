package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/syncbuf"
)

// cancelOnWrite is a writer that calls cancel after each write.
type cancelOnWrite struct {
	w      io.Writer
	cancel context.CancelFunc
}

func (c cancelOnWrite) Write(p []byte) (int, error) {
	defer c.cancel()
	return c.w.Write(p)
}

// TestServeClientSecretsOutRefusesSymlink reproduces issue 7, Why §6:
// serve --client-secrets-out wrote through a symbolic link, overwriting and
// chmodding the file it pointed to.
func TestServeClientSecretsOutRefusesSymlink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(victim, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "cs.json")
	if err := os.Symlink(victim, link); err != nil {
		t.Fatal(err)
	}
	// Should serve start regardless, its first line on stdout stops it.
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var stdout, stderr syncbuf.Buffer
	code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--client-secrets-out", link},
		strings.NewReader(""), cancelOnWrite{&stdout, cancel}, &stderr)
	out, errOut := stdout.String(), stderr.String()
	if code != exitFailure || out != "" {
		t.Errorf("exit %d, stdout %q; want exit %d and nothing", code, out, exitFailure)
	}
	if !strings.Contains(errOut, link) || !strings.Contains(errOut, "symbolic link") {
		t.Errorf("stderr %q, want it to name %s as a symbolic link", errOut, link)
	}
	assertUnchanged(t, victim, "precious", 0o644)
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v, %v", fi, err)
	}
}

// assertUnchanged checks that path still holds content with mode perm.
func assertUnchanged(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != perm {
		t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), perm)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != content {
		t.Errorf("%s: content %q, %v; want %q", path, b, err, content)
	}
}

func TestWriteFileSafe(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, dir, path string)
		wantErr string // "" for success
	}{
		{"new file", func(*testing.T, string, string) {}, ""},
		{"replaces a group-readable file", func(t *testing.T, _, path string) {
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"symlink to a file", func(t *testing.T, dir, path string) {
			other := filepath.Join(dir, "other")
			if err := os.WriteFile(other, []byte("other"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, path); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"dangling symlink", func(t *testing.T, dir, path string) {
			if err := os.Symlink(filepath.Join(dir, "nowhere"), path); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"folder", func(t *testing.T, _, path string) {
			if err := os.Mkdir(path, 0o700); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "out.json")
			tc.prepare(t, dir, path)
			before, _ := os.ReadDir(dir)
			err := writeFileSafe(path, []byte("new"))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %v, want one naming %s and saying %q", err, path, tc.wantErr)
				}
				if after, _ := os.ReadDir(dir); len(after) != len(before) {
					t.Errorf("folder had %d entries, now %d", len(before), len(after))
				}
				if _, err := os.Stat(filepath.Join(dir, "nowhere")); err == nil {
					t.Error("the dangling link's target was created")
				}
				if _, err := os.Stat(filepath.Join(dir, "other")); err == nil {
					assertUnchanged(t, filepath.Join(dir, "other"), "other", 0o644)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			assertUnchanged(t, path, "new", 0o600)
			if after, _ := os.ReadDir(dir); len(after) != 1 {
				t.Errorf("folder holds %d entries, want 1 (a temp file left?)", len(after))
			}
		})
	}
}
