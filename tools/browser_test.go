package tools

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

func TestBrowserCommand(t *testing.T) {
	t.Parallel()
	const u = "http://127.0.0.1:8765/auth?x=1"
	installed := func(names ...string) func(string) (string, error) {
		return func(name string) (string, error) {
			if slices.Contains(names, name) {
				return "/usr/bin/" + name, nil
			}
			return "", exec.ErrNotFound
		}
	}
	tests := []struct {
		name      string
		goos      string
		browser   string
		installed []string
		want      []string
		wantErr   bool
	}{
		{"xdg-open", "linux", "", []string{"xdg-open", "x-www-browser"}, []string{"xdg-open", u}, false},
		{"Debian alternative", "linux", "", []string{"x-www-browser"}, []string{"x-www-browser", u}, false},
		{"WSL", "linux", "", []string{"wslview"}, []string{"wslview", u}, false},
		{"nothing installed", "linux", "", nil, nil, true},
		{"BROWSER first", "linux", "firefox", []string{"xdg-open", "firefox"}, []string{"firefox", u}, false},
		{"BROWSER with %s", "linux", "chromium --new-window %s", []string{"chromium"}, []string{"chromium", "--new-window", u}, false},
		{"BROWSER list, first missing", "linux", "missing:firefox -P work", []string{"firefox"}, []string{"firefox", "-P", "work", u}, false},
		{"BROWSER all missing", "linux", "missing", []string{"xdg-open"}, []string{"xdg-open", u}, false},
		{"macOS", "darwin", "", nil, []string{"open", u}, false},
		{"Windows", "windows", "", nil, []string{"rundll32", "url.dll,FileProtocolHandler", u}, false},
		{"unknown system", "plan9", "", nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				if k == "BROWSER" {
					return tt.browser
				}
				return ""
			}
			cmd, err := browserCommand(u, tt.goos, getenv, installed(tt.installed...))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("browserCommand = %q, want an error", cmd.Args)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(cmd.Args, tt.want) {
				t.Errorf("browserCommand = %q, want %q", cmd.Args, tt.want)
			}
			if cmd.Stdout != nil || cmd.Stderr != nil {
				t.Error("the opener's output is wired to the program's")
			}
		})
	}
}

// TestOpenBrowserDoesNotWait starts an opener (through $BROWSER) that runs
// until the test lets it go: OpenBrowser must return while it still runs.
func TestOpenBrowserDoesNotWait(t *testing.T) {
	dir := t.TempDir()
	opened, release := filepath.Join(dir, "opened"), filepath.Join(dir, "release")
	script := filepath.Join(dir, "slow-browser")
	body := "#!/bin/sh\necho chatter\nprintf '%s' \"$1\" > " + opened + "\nwhile [ ! -e " + release + " ]; do sleep 0.05; done\n"
	if err := os.WriteFile(script, []byte(body), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BROWSER", script)
	t.Cleanup(func() { os.WriteFile(release, nil, 0o600) })

	const u = "http://127.0.0.1:1/auth"
	done := make(chan error, 1)
	go func() { done <- OpenBrowser(u) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("OpenBrowser waited for the opener to exit")
	}
	for {
		b, err := os.ReadFile(opened)
		if err == nil && len(b) > 0 {
			if string(b) != u {
				t.Errorf("the opener was given %q, want %q", b, u)
			}
			return
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
