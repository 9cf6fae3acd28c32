package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
)

// tree lists every path under root.
func tree(t *testing.T, root string) []string {
	t.Helper()
	var paths []string
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		paths = append(paths, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return paths
}

// TestReadOnlyCommandsCreateNothing reproduces issue 7, Why §7: a read-only
// command with nothing stored created the config folder and a lock file.
// token, header, info and list against an empty HOME, an empty folder or a
// missing SQLite database leave the file system as it was.
func TestReadOnlyCommandsCreateNothing(t *testing.T) {
	home, config := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("AppData", config) // Windows
	other := t.TempDir()
	for _, store := range []string{
		"", // the default store, in the user config folder
		"file:" + filepath.Join(other, "creds.json"),
		"file:" + filepath.Join(other, "sub", "creds.json"),
		"sqlite:" + filepath.Join(other, "creds.db"),
		"sqlite:" + filepath.Join(other, "sub", "creds.db"),
	} {
		for _, args := range [][]string{{"token"}, {"header"}, {"info"}, {"list"}, {"token", "--key", "k"}} {
			if store != "" {
				args = append(args, "--store", store)
			}
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				before := [][]string{tree(t, home), tree(t, config), tree(t, other)}
				code, out, errOut := runCLI(t, t.Context(), args...)
				wantCode, wantErr := exitFailure, "is empty: run 'oauth2client login' first"
				if args[0] == "list" {
					wantCode, wantErr = exitOK, "holds no credentials"
				}
				if code != wantCode || out != "" || !strings.Contains(errOut, wantErr) {
					t.Errorf("exit %d, stdout %q, stderr %q; want exit %d and %q", code, out, errOut, wantCode, wantErr)
				}
				after := [][]string{tree(t, home), tree(t, config), tree(t, other)}
				for i := range before {
					if strings.Join(before[i], "\n") != strings.Join(after[i], "\n") {
						t.Errorf("the command created files:\nbefore %q\nafter  %q", before[i], after[i])
					}
				}
			})
		}
	}
}

// TestReadOnlyCommandsOnStoredCreateNothing reproduces issue 12, Messages
// §7: token, header, info --offline and list reading an existing file store
// with a fresh token created the sidecar PATH.lock. They leave the folder
// as it was.
func TestReadOnlyCommandsOnStoredCreateNothing(t *testing.T) {
	t.Setenv("NO_GCE_CHECK", "true")
	c := fixedCreds(t, "client", "AT-fresh", "", time.Now().Add(time.Hour).UTC().Format(time.RFC3339), []string{"s"}, false)
	path := saveEntries(t, map[string]*oauth2client.Credentials{"k": c})
	for _, side := range []string{".lock", ".refresh.lock"} {
		if err := os.Remove(path + side); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
	}
	dir := filepath.Dir(path)
	for _, args := range [][]string{{"token"}, {"header"}, {"info", "--offline"}, {"list"}} {
		args = append(args, "--store", "file:"+path)
		t.Run(strings.Join(args[:len(args)-2], " "), func(t *testing.T) {
			before := tree(t, dir)
			runOK(t, args...)
			if after := tree(t, dir); strings.Join(before, "\n") != strings.Join(after, "\n") {
				t.Errorf("the command created files:\nbefore %q\nafter  %q", before, after)
			}
		})
	}
}
