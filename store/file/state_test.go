package file

import (
	"context"
	"encoding/json"
	"errors"
	"github.com/oauth2client/oauth2client"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// TestReadOnlyCreatesNothing: Load, List, Format and Delete of a store
// whose file (and folder) does not exist create neither the folder nor a
// lock file.
func TestReadOnlyCreatesNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, single := range []bool{false, true} {
		dir := t.TempDir()
		folder := filepath.Join(dir, "config", "oauth2client")
		path := filepath.Join(folder, "credentials.json")
		open := Open
		if single {
			open = OpenSingle
		}
		s := must(open(path, nil))
		auto, err := OpenAuto(ctx, path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Load(ctx, "k"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Load: %v, want ErrNotFound", err)
		}
		if keys, err := auto.List(ctx); err != nil || len(keys) != 0 {
			t.Errorf("List = %q, %v; want none", keys, err)
		}
		if _, err := s.Format(ctx); err != nil {
			t.Error(err)
		}
		if err := s.Delete(ctx, "k"); err != nil {
			t.Error(err)
		}
		entries, err := os.ReadDir(dir)
		if err != nil || len(entries) != 0 {
			t.Fatalf("single %t: %s holds %v after reads (%v), want nothing", single, dir, entries, err)
		}
		// The first write creates the folder, 0700.
		if err := s.Save(ctx, "k", storetest.Credentials("at", time.Time{})); err != nil {
			t.Fatal(err)
		}
		if fi, err := os.Stat(folder); err != nil || fi.Mode().Perm() != 0o700 {
			t.Errorf("folder after the first write: %v, %v; want mode 0700", fi, err)
		}
	}
}

// TestExtensionsRefusedInPythonFormats: credentials with extension fields
// are refused, naming the fields, by the formats Python rewrites, and kept
// by this package's format.
func TestExtensionsRefusedInPythonFormats(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, f := range []Format{FormatSingle, FormatMultiprocess, FormatMultistore, FormatGo} {
		t.Run(f.String(), func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "creds.json")
			var s *Store
			if f == FormatSingle {
				s = must(OpenSingle(path, nil))
			} else {
				s = must(Open(path, &Options{NewFormat: f}))
			}
			if f == FormatGo {
				storetest.CheckExtensions(t, s)
				return
			}
			st := storetest.Credentials("at", time.Time{})
			st.Extensions = map[string]json.RawMessage{"dpop": json.RawMessage(`{}`), "client_cert": json.RawMessage(`"ref"`)}
			check := func(op string, err error) {
				t.Helper()
				if !errors.Is(err, ErrPythonDropsExtensions) || !strings.Contains(err.Error(), "client_cert, dpop") {
					t.Errorf("%s: %v; want ErrPythonDropsExtensions naming the fields", op, err)
				}
			}
			check("Save", s.Save(ctx, "k", st))
			if err := s.Save(ctx, "k", storetest.Credentials("at", time.Time{})); err != nil {
				t.Fatal(err)
			}
			check("Update", s.Update(ctx, "k", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
				cur.Extensions = st.Extensions
				return cur, nil
			}))
			got, err := s.Load(ctx, "k")
			if err != nil || got.Extensions != nil {
				t.Errorf("stored after refusals: %v, %v", got, err)
			}
		})
	}
}

// TestRefreshLockSymlinkRefused: a refresh lock sidecar that is a symbolic
// link is refused.
func TestRefreshLockSymlinkRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "creds.json")
	s := must(Open(path, nil))
	target := filepath.Join(dir, "target")
	os.WriteFile(target, nil, 0o600)
	if err := os.Symlink(target, path+".refresh.lock"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LockRefresh(context.Background(), "k"); !errors.Is(err, ErrSymlink) {
		t.Errorf("LockRefresh: %v, want ErrSymlink", err)
	}
	if _, err := Open(path, nil); !errors.Is(err, ErrSymlink) {
		t.Errorf("Open: %v, want ErrSymlink", err)
	}
}
