//go:build unix

package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeLocalSequence returns the README's command-line sequence against a
// local server: the lines of its ```sh block from the comment that opens it
// to the next blank line.
func readmeLocalSequence(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const opening = "# A local authorization server, and a login against it. The server keeps everything in\n"
	_, rest, ok := strings.Cut(string(data), opening)
	if !ok {
		t.Fatalf("README.md has no line %q", strings.TrimSpace(opening))
	}
	seq, _, _ := strings.Cut(rest, "\n\n")
	return seq
}

// TestREADMELocalSequence runs the README's local sequence as written, with
// bash, in an empty folder and an empty home: serve in the background,
// login (with curl as the browser), token, request. Only the port is
// changed, to one that is free, and oauth2client is this test binary.
func TestREADMELocalSequence(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found:", err)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("curl not found (the README's sequence uses it as the browser):", err)
		}
		t.Skip("curl not found (the README's sequence uses it as the browser):", err)
	}
	seq := readmeLocalSequence(t)
	for _, want := range []string{"oauth2client serve", "oauth2client login", "oauth2client token", "oauth2client request"} {
		if !strings.Contains(seq, want) {
			t.Fatalf("the README's local sequence has no %q:\n%s", want, seq)
		}
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin, home := t.TempDir(), t.TempDir()
	wrapper := fmt.Sprintf("#!/bin/sh\n%s=1 exec %q \"$@\"\n", cliEnv, exe)
	if err := os.WriteFile(filepath.Join(bin, "oauth2client"), []byte(wrapper), 0o700); err != nil {
		t.Fatal(err)
	}
	// A free port is found by listening and closing; another process may
	// take it meanwhile, so a run that could not listen is tried again.
	var out []byte
	for try := 1; ; try++ {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		run := strings.ReplaceAll(seq, "127.0.0.1:8765", addr)
		run = strings.Replace(run, "oauth2client serve ", "oauth2client serve --addr "+addr+" ", 1)
		out, err = runScript(t, bash, run, bin, home)
		if err == nil {
			break
		}
		if try == 3 || !strings.Contains(string(out), "address already in use") {
			t.Fatalf("the README's local sequence failed: %v\n%s\n--- the sequence:\n%s", err, out, run)
		}
	}
	if !strings.Contains(string(out), `"calendar#calendarList"`) {
		t.Errorf("the README's request printed no calendar list:\n%s", out)
	}
}

// runScript runs script with bash in a new empty folder, with bin first on
// PATH and home as HOME, in a process group of its own that is killed
// whole (the background serve too) when the script ends or after two
// minutes.
func runScript(t *testing.T, bash, script, bin, home string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, "-c", "set -e\ntrap 'kill $(jobs -p) 2>/dev/null' EXIT\n"+script+"\n")
	cmd.Dir = t.TempDir()
	cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if cmd.Process != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // whatever the script left running
	}
	return out, err
}
