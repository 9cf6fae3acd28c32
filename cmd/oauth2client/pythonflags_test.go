package main

import (
	"strings"
	"testing"
)

// TestLoginPythonFlagSpellings: login takes a command line written for
// Python oauth2client's tools.argparser, several ports included, and its
// help lists each flag once, in the Go spelling.
func TestLoginPythonFlagSpellings(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, t.Context(), "login", "--auth_host_name", "localhost", "--auth_host_port", "8080", "8090",
		"--noauth_local_webserver", "--logging_level", "INFO", "--help")
	if code != exitOK || !strings.HasPrefix(out, "Usage: oauth2client login") {
		t.Fatalf("exit %d, stdout %.40q, stderr %q", code, out, errOut)
	}
	if strings.Contains(out, "\n  --auth_host_port") || !strings.Contains(out, "\n  --auth-host-port") {
		t.Errorf("help does not list the Go spelling alone:\n%s", out)
	}
}
