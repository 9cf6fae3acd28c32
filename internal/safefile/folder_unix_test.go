//go:build unix

package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFolderChecks: files are created or replaced only in folders no
// other user can change; reading an existing file is allowed anywhere.
func TestFolderChecks(t *testing.T) {
	t.Parallel()
	const nobody = 65534
	for _, tc := range []struct {
		name    string
		mode    fs.FileMode // of a new folder in t.TempDir(); 0 for t.TempDir() itself
		owner   int         // chown the folder to it (root only); -1 to keep
		group   int         // chgrp the folder to it (root only); -1 to keep
		wantErr string
	}{
		{"t.TempDir", 0, -1, -1, ""},
		{"0700", 0o700, -1, -1, ""},
		{"0755", 0o755, -1, -1, ""},
		{"0555", 0o555, -1, -1, ""},
		{"group-writable, this user's primary group", 0o770, -1, -1, ""},
		{"group-writable, another group", 0o770, -1, nobody, "writable by other users"},
		{"world-writable", 0o777, -1, -1, "writable by other users"},
		{"world-writable with the sticky bit, like /tmp", 0o777 | fs.ModeSticky, -1, -1, ""},
		{"another user's", 0o755, nobody, -1, "owned by user 65534"},
		{"another user's, sticky", 0o777 | fs.ModeSticky, nobody, -1, "owned by user 65534"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if tc.mode != 0 {
				dir = filepath.Join(dir, "d")
				if err := os.Mkdir(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, tc.mode); err != nil {
					t.Fatal(err)
				}
				defer os.Chmod(dir, 0o700) // so that t.TempDir can clean up
			}
			if tc.owner >= 0 || tc.group >= 0 {
				if os.Geteuid() != 0 {
					t.Skip("only root can give a folder away")
				}
				if err := os.Chown(dir, tc.owner, tc.group); err != nil {
					t.Fatal(err)
				}
			}
			err := checkFolder(dir)
			checkErr(t, err, dir, tc.wantErr, unsafeIf(tc.wantErr))
			if tc.wantErr == "" {
				return
			}
			// Every way to create or replace a file refuses the folder.
			path := filepath.Join(dir, "creds.json")
			err = ReplaceFile(path, []byte("x"), 0o600, nil)
			checkErr(t, err, path, tc.wantErr, ErrUnsafeFolder)
			f, err := OpenNoFollow(path, "lock file", os.O_CREATE|os.O_RDWR, 0o600)
			checkErr(t, err, path, tc.wantErr, ErrUnsafeFolder)
			if f != nil {
				f.Close()
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the folder holds %d entries, want none", len(entries))
			}
			// Opening an existing file without O_CREATE is allowed.
			if err := os.WriteFile(path, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if f, err = OpenNoFollow(path, "credentials file", os.O_RDONLY, 0); err != nil {
				t.Errorf("reading in the folder: %v", err)
			} else {
				f.Close()
			}
		})
	}
}

// unsafeIf is ErrUnsafeFolder when an error is wanted.
func unsafeIf(wantErr string) error {
	if wantErr == "" {
		return nil
	}
	return ErrUnsafeFolder
}

// TestFolderChecksSystem: the system's temp folder (sticky, root's) and a
// missing folder pass; creating in a missing folder fails on its own.
func TestFolderChecksSystem(t *testing.T) {
	t.Parallel()
	if err := checkFolder(os.TempDir()); err != nil {
		t.Errorf("%s: %v", os.TempDir(), err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	if err := checkFolder(missing); err != nil {
		t.Errorf("%s: %v", missing, err)
	}
	err := ReplaceFile(filepath.Join(missing, "x"), nil, 0o600, nil)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("ReplaceFile in a missing folder: %v, want ErrNotExist naming it", err)
	}
}
