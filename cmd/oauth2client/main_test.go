package main

import (
	"context"
	"os"
	"os/exec"
	"testing"
)

// cliEnv, set to "1" in the environment of the test binary, makes it run
// as the oauth2client program: tests start it as a separate process.
const cliEnv = "OAUTH2CLIENT_TEST_RUN_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	// Application Default Credentials never reach for a real metadata
	// server or the developer's own credentials file from a test; the tests
	// of ADC set these variables themselves.
	os.Setenv("NO_GCE_CHECK", "true")
	os.Unsetenv("GOOGLE_APPLICATION_CREDENTIALS")
	os.Exit(m.Run())
}

// cliCommand returns a command running oauth2client with args in a new
// process (this test binary, in its CLI role).
func cliCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), exe, args...)
	cmd.Env = append(os.Environ(), cliEnv+"=1")
	return cmd
}
