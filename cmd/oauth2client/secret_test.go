package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestClientSecretSources: --client-secret wins over --client-secret-file
// (they exclude each other), which wins over $OAUTH2CLIENT_CLIENT_SECRET;
// a secret file loses one trailing newline, and one other users may read
// is used with a warning that never shows the secret.
func TestClientSecretSources(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	lf := write("lf", "FILE-SECRET\n", 0o600)
	crlf := write("crlf", "FILE-SECRET\r\n", 0o600)
	bare := write("bare", "FILE-SECRET", 0o600)
	readable := write("readable", "FILE-SECRET\n", 0o644)
	empty := write("empty", "\n", 0o600)
	for _, tc := range []struct {
		name     string
		env      string
		args     []string
		want     string
		wantWarn bool
		wantErr  string
	}{
		{"flag", "ENV-SECRET", []string{"--client-secret", "FLAG-SECRET"}, "FLAG-SECRET", false, ""},
		{"file over env", "ENV-SECRET", []string{"--client-secret-file", lf}, "FILE-SECRET", false, ""},
		{"file CRLF", "", []string{"--client-secret-file", crlf}, "FILE-SECRET", false, ""},
		{"file without newline", "", []string{"--client-secret-file", bare}, "FILE-SECRET", false, ""},
		{"readable file", "", []string{"--client-secret-file", readable}, "FILE-SECRET", true, ""},
		{"env", "ENV-SECRET", nil, "ENV-SECRET", false, ""},
		{"public client", "", nil, "", false, ""},
		{"empty file", "", []string{"--client-secret-file", empty}, "", false, "is empty"},
		{"missing file", "", []string{"--client-secret-file", filepath.Join(dir, "nope")}, "", false, "--client-secret-file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(secretEnv, tc.env)
			fs := flag.NewFlagSet("test", flag.ContinueOnError)
			var warn bytes.Buffer
			fs.SetOutput(&warn)
			var f credFlags
			f.register(fs)
			if err := fs.Parse(append([]string{"--client-id", "id"}, tc.args...)); err != nil {
				t.Fatal(err)
			}
			if err := f.check(); err != nil {
				t.Fatal(err)
			}
			cs, err := f.client()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cs.ClientSecret != tc.want {
				t.Errorf("secret %q, want %q", cs.ClientSecret, tc.want)
			}
			if got := strings.Contains(warn.String(), "other users may read"); got != tc.wantWarn {
				t.Errorf("warning %q, want one: %v", warn.String(), tc.wantWarn)
			}
			if strings.Contains(warn.String(), "SECRET") {
				t.Errorf("warning shows the secret: %q", warn.String())
			}
		})
	}
}

func TestClientSecretUsage(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "secret")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login", "--client-id", "c", "--issuer", "http://127.0.0.1:1", "--client-secret", "S", "--client-secret-file", file}, "--client-secret and --client-secret-file exclude each other"},
		{[]string{"token", "--client-secret-file", file}, "--client-secret-file needs --client-id"},
	} {
		code, out, errOut := runCLI(t, t.Context(), tc.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
