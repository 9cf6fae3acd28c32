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

// TestServeFilesRefuseSymlink reproduces issue 7, Why §6: serve
// --client-secrets-out wrote through a symbolic link, overwriting and
// chmodding the file it pointed to. Neither file serve writes (the client
// secrets, the service account key) is written through a link.
func TestServeFilesRefuseSymlink(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"--client-secrets-out", "--service-account-out"} {
		t.Run(flag, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			victim := filepath.Join(dir, "victim")
			if err := os.WriteFile(victim, []byte("precious"), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(victim, 0o644); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "out.json")
			if err := os.Symlink(victim, link); err != nil {
				t.Fatal(err)
			}
			// Should serve start regardless, its first line on stdout stops it.
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var stdout, stderr syncbuf.Buffer
			code := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", flag, link},
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
		})
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
