package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// runCLI runs the command line in-process and returns its exit code,
// stdout and stderr.
func runCLI(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHelpGolden(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"help.golden", []string{"--help"}},
		{"help.golden", []string{"help"}},
		{"help.golden", []string{"-h"}},
		{"serve-help.golden", []string{"serve", "--help"}},
		{"serve-help.golden", []string{"serve", "-help"}},
		{"serve-help.golden", []string{"serve", "-h"}},
		{"serve-help.golden", []string{"help", "serve"}},
		{"verify-id-token-help.golden", []string{"verify-id-token", "--help"}},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, out, errOut := runCLI(t, t.Context(), tc.args...)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			path := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if out != string(want) {
				t.Errorf("stdout differs from %s (run go test -update if intended):\n%s", path, out)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string // in stderr
	}{
		{"no command", nil, "Usage: oauth2client COMMAND"},
		{"unknown command", []string{"frobnicate"}, `unknown command "frobnicate"`},
		{"help for unknown command", []string{"help", "frobnicate"}, `unknown command "frobnicate"`},
		{"unknown flag", []string{"serve", "--nope"}, "flag provided but not defined: -nope"},
		{"bad duration", []string{"serve", "--token-ttl", "soon"}, "invalid value"},
		{"negative ttl", []string{"serve", "--token-ttl", "-1s"}, "--token-ttl must be positive"},
		{"extra argument", []string{"serve", "extra"}, `unexpected argument "extra"`},
		{"all interfaces", []string{"serve", "--addr", "0.0.0.0:8765"}, "not a loopback address"},
		{"empty host", []string{"serve", "-addr", ":8765"}, "not a loopback address"},
		{"remote host", []string{"serve", "--addr=192.0.2.7:80"}, "not a loopback address"},
		{"no port", []string{"serve", "--addr", "127.0.0.1"}, "missing port"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, t.Context(), tc.args...)
			if code != exitUsage {
				t.Errorf("exit code %d, want %d", code, exitUsage)
			}
			if out != "" {
				t.Errorf("stdout %q, want nothing", out)
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want it to contain %q", errOut, tc.want)
			}
		})
	}
}

func TestCommandTable(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range commands {
		if c.name == "" || c.summary == "" || c.help == "" || c.run == nil || seen[c.name] {
			t.Errorf("command %+v incomplete or duplicated", c)
		}
		seen[c.name] = true
	}
	if lookup("serve") == nil {
		t.Error("no serve command")
	}
}
