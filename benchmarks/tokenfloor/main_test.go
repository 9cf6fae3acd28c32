package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/file"
)

// TestFloorPrintsStoredToken checks that tokenfloor does the work it
// stands for: it finds credentials stored as login stores them (under the
// key of the client and the sorted scopes) and prints their fresh token.
func TestFloorPrintsStoredToken(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	secrets := filepath.Join(dir, "cs.json")
	cs := `{"installed": {"client_id": "floor-client", "client_secret": "s",
		"auth_uri": "http://127.0.0.1:1/auth", "token_uri": "http://127.0.0.1:1/token",
		"redirect_uris": ["http://127.0.0.1"]}}`
	if err := os.WriteFile(secrets, []byte(cs), 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(map[string]any{
		"access_token": "AT-floor", "client_id": "floor-client", "client_secret": "s",
		"refresh_token": "RT", "token_expiry": time.Now().Add(time.Hour).UTC().Format(time.RFC3339),
		"token_uri": "http://127.0.0.1:1/token", "user_agent": nil, "invalid": false,
		"scopes": []string{"email", "openid"},
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := oauth2client.ParseCredentialsJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	// Every store this build can open (sqlite with -tags sqlite).
	kinds := map[string]string{"file": "creds.json", "sqlite": "creds.db"}
	for kind, name := range kinds {
		open := openers[kind]
		if open == nil {
			continue
		}
		path := filepath.Join(dir, name)
		if kind == "file" {
			open = func(context.Context, string) (store.Store, error) { return file.Open(path, nil) } // creates it
		}
		s, err := open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Save(ctx, store.ClassicKey("floor-client", "", []string{"email", "openid"}), c.State()); err != nil {
			t.Fatal(err)
		}
		s.Close()

		var out bytes.Buffer
		if err := run(ctx, &out, []string{"--client-secrets", secrets, "--scope", "openid email", "--store", kind + ":" + path}); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if got := strings.TrimSpace(out.String()); got != "AT-floor" {
			t.Errorf("%s: printed %q, want the stored token AT-floor", kind, got)
		}
	}
	path := filepath.Join(dir, "creds.json")
	var out bytes.Buffer
	for _, args := range [][]string{
		{"--client-secrets", secrets, "--store", "keyring:x"},
		{"--client-secrets", secrets, "--store", "file:"},
		{"--store", "file:" + path},
		{"--client-secrets", secrets, "--store", "file:" + path, "extra"},
	} {
		if err := run(ctx, &out, args); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}
