package main

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/file"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

// BenchmarkTokenCommand is the in-process part of 'oauth2client token'
// with a fresh stored token: flags, opening the store, reading and
// binding the credentials, printing. scripts/bench-cli.sh measures the
// whole process (start-up included) against cat.
func BenchmarkTokenCommand(b *testing.B) {
	b.Setenv("NO_GCE_CHECK", "true")
	data, _ := json.Marshal(map[string]any{
		"access_token": "AT-fresh", "client_id": "client", "client_secret": "SECRET",
		"refresh_token": "RT", "token_expiry": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339),
		"token_uri": "http://127.0.0.1:1/token", "user_agent": nil, "invalid": false, "scopes": []string{"openid"},
		"token_response": map[string]any{"token_type": "Bearer"},
	})
	c, err := oauth2client.ParseCredentialsJSON(data)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	ctx := context.Background()
	stores := []struct {
		name, spec string
		open       func() (store.Store, error)
	}{
		{"file", "file:" + filepath.Join(dir, "creds.json"), func() (store.Store, error) {
			return file.Open(filepath.Join(dir, "creds.json"), nil)
		}},
		{"sqlite", "sqlite:" + filepath.Join(dir, "creds.db"), func() (store.Store, error) {
			return sqlite.Open(ctx, filepath.Join(dir, "creds.db"), nil)
		}},
	}
	for _, st := range stores {
		s, err := st.open()
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Save(ctx, "k", c.State()); err != nil {
			b.Fatal(err)
		}
		s.Close()
		b.Run(st.name, func(b *testing.B) {
			args := []string{"token", "--store", st.spec, "--key", "k"}
			var out, errOut bytes.Buffer
			for b.Loop() {
				out.Reset()
				if code := run(ctx, args, strings.NewReader(""), &out, &errOut); code != exitOK {
					b.Fatalf("exit %d: %s", code, errOut.String())
				}
			}
			if out.String() != "AT-fresh\n" {
				b.Fatalf("printed %q", out.String())
			}
		})
	}
}
