package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAuthorizedUserThroughGoogle: --credentials reads authorized_user
// files with package google, whose errors name the missing field and
// never quote a secret.
func TestAuthorizedUserThroughGoogle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, json, want string
	}{
		{"no client_secret", `{"type":"authorized_user","client_id":"c","refresh_token":"rt-SECRET"}`, `"client_secret"`},
		{"no refresh_token", `{"type":"authorized_user","client_id":"c","client_secret":"cs-SECRET"}`, `"refresh_token"`},
		{"insecure token_uri", `{"type":"authorized_user","client_id":"c","client_secret":"cs-SECRET","refresh_token":"rt-SECRET","token_uri":"http://example.com/token"}`, `"token_uri"`},
	} {
		path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(tc.json), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCLI(t, t.Context(), "token", "--credentials", path)
		if code != exitFailure || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "SECRET") {
			t.Errorf("%s: exit %d, stderr %q; want 1 naming %s", tc.name, code, errOut, tc.want)
		}
	}
}
