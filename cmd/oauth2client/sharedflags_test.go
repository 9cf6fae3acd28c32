package main

import (
	"regexp"
	"strings"
	"testing"
)

// helpFlags returns the flags a command's --help lists.
func helpFlags(t *testing.T, name string) map[string]bool {
	t.Helper()
	_, help, _ := runCLI(t, t.Context(), name, "--help")
	flags := map[string]bool{}
	re := regexp.MustCompile(`^  (--?[A-Za-z][\w-]*)`)
	for line := range strings.Lines(help) {
		if m := re.FindStringSubmatch(line); m != nil {
			flags[m[1]] = true
		}
	}
	return flags
}

// TestCommandsAcceptLoginClientFlags: token, header, request and info
// accept every flag of login that shapes the key or the client, so that
// login's command line can be repeated with another command.
func TestCommandsAcceptLoginClientFlags(t *testing.T) {
	t.Parallel()
	// How login talks to the user and the browser: not the key nor the client.
	flowOnly := map[string]bool{
		"--no-browser": true, "--device": true, "--qr": true, "--wait-timeout": true, "--par": true, "--dpop": true, "--dpop-alg": true,
		"--auth-host-name": true, "--auth-host-port": true, "--noauth-local-webserver": true,
	}
	login := helpFlags(t, "login")
	if !login["--redirect-uri"] {
		t.Fatal("login lists no --redirect-uri")
	}
	for _, name := range []string{"token", "header", "request", "info"} {
		has := helpFlags(t, name)
		for f := range login {
			if !flowOnly[f] && !has[f] {
				t.Errorf("%s does not accept login's %s", name, f)
			}
		}
	}
	code, _, errOut := runCLI(t, t.Context(), "token", "--redirect-uri", "http://127.0.0.1/callback", "--store", "file:/nonexistent/x.json")
	if strings.Contains(errOut, "flag provided but not defined") || code == exitUsage {
		t.Errorf("token --redirect-uri: exit %d, stderr %q", code, errOut)
	}
}
