package spec

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store/storetest"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Spec
		wantErr string // substring; "" means success
	}{
		{in: "file:creds.json", want: Spec{File, "creds.json"}},
		{in: "file:/abs/creds.json", want: Spec{File, "/abs/creds.json"}},
		{in: "file:///abs/creds.json", want: Spec{File, "/abs/creds.json"}},
		{in: "FILE:x", want: Spec{File, "x"}},
		{in: "keyring:my-app", want: Spec{Keyring, "my-app"}},
		{in: "sqlite:creds.db", want: Spec{SQLite, "creds.db"}},
		{in: "sqlite:///tmp/c.db", want: Spec{SQLite, "/tmp/c.db"}},
		{in: "postgres://u:pw@127.0.0.1:5432/db", want: Spec{Postgres, "postgres://u:pw@127.0.0.1:5432/db"}},
		{in: "postgresql://u@127.0.0.1/db", want: Spec{Postgres, "postgresql://u@127.0.0.1/db"}},
		{in: "creds.json", wantErr: "has no kind"},
		{in: "file:", wantErr: "needs a path"},
		{in: "file://host/x", wantErr: "file:///ABSOLUTE/PATH"},
		{in: "keyring:", wantErr: "needs a service"},
		{in: "sqlite:", wantErr: "needs a path"},
		{in: "postgres:///db", wantErr: "needs a host"},
		{in: "redis://127.0.0.1", wantErr: "unknown store kind"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse(%q) error %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestStringRedactsPassword(t *testing.T) {
	s, err := Parse("postgres://user:hunter2@127.0.0.1:5432/db")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(s.String(), "hunter2") {
		t.Errorf("String() = %q shows the password", s)
	}
	if _, err := Parse("postgres://user:hunter2@/db"); err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("error %v shows the password", err)
	}
}

func TestDefault(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s, err := Parse("")
	if err != nil {
		t.Fatal(err)
	}
	if s.Kind != File || filepath.Base(s.Target) != "credentials.json" {
		t.Errorf("default spec %v", s)
	}
}

// TestOpen opens the kinds that need no server and checks they work.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, spec := range []string{
		"file:" + filepath.Join(dir, "new", "creds.json"),
		"sqlite:" + filepath.Join(dir, "db", "creds.db"),
	} {
		t.Run(spec, func(t *testing.T) {
			s, err := Open(ctx, spec)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Save(ctx, "k", storetest.Credentials("at", time.Now().Add(time.Hour))); err != nil {
				t.Fatal(err)
			}
			keys, err := s.List(ctx)
			if err != nil || len(keys) != 1 {
				t.Fatalf("List = %v, %v", keys, err)
			}
		})
	}
}

// TestOpenMustExist: with MustExist a missing file or SQLite store is
// reported as fs.ErrNotExist and nothing is created; an existing one opens.
func TestOpenMustExist(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	for _, spec := range []string{
		"file:" + filepath.Join(dir, "new", "creds.json"),
		"file:" + filepath.Join(dir, "creds.json"),
		"sqlite:" + filepath.Join(dir, "db", "creds.db"),
		"sqlite:" + filepath.Join(dir, "creds.db"),
	} {
		t.Run(spec, func(t *testing.T) {
			sp, err := Parse(spec)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadDir(dir)
			_, err = sp.Open(ctx, &OpenOptions{MustExist: true})
			if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), sp.Target) {
				t.Fatalf("error %v, want fs.ErrNotExist naming %s", err, sp.Target)
			}
			if after, _ := os.ReadDir(dir); len(after) != len(before) {
				t.Fatalf("Open created %d entries", len(after)-len(before))
			}
			s, err := sp.Open(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Save(ctx, "k", storetest.Credentials("at", time.Now().Add(time.Hour)))
			s.Close()
			if err != nil {
				t.Fatal(err)
			}
			s, err = sp.Open(ctx, &OpenOptions{MustExist: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if keys, err := s.List(ctx); err != nil || len(keys) != 1 {
				t.Errorf("List = %v, %v", keys, err)
			}
		})
	}
}
