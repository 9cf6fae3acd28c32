package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture prepares what is at path, in the folder dir, before a test.
type fixture func(t *testing.T, dir, path string)

// The things a test finds at a path.
var (
	nothing fixture = func(*testing.T, string, string) {}

	regular fixture = func(t *testing.T, _, path string) {
		writeFile(t, path, "old", 0o644)
	}
	// symlink points at dir/other, which holds "other" with mode 0644.
	symlink fixture = func(t *testing.T, dir, path string) {
		other := filepath.Join(dir, "other")
		writeFile(t, other, "other", 0o644)
		if err := os.Symlink(other, path); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	// dangling points at dir/nowhere, which does not exist.
	dangling fixture = func(t *testing.T, dir, path string) {
		if err := os.Symlink(filepath.Join(dir, "nowhere"), path); err != nil {
			t.Skip("no symbolic links here:", err)
		}
	}
	folder fixture = func(t *testing.T, _, path string) {
		if err := os.Mkdir(path, 0o700); err != nil {
			t.Fatal(err)
		}
	}
)

// writeFile writes content to path with mode perm (whatever the umask).
func writeFile(t *testing.T, path, content string, perm fs.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

// assertFile checks that path is a regular file holding content with
// mode perm.
func assertFile(t *testing.T, path, content string, perm fs.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != perm {
		t.Errorf("%s: mode %v, want a regular file with %v", path, fi.Mode(), perm)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != content {
		t.Errorf("%s: content %q, %v; want %q", path, b, err, content)
	}
}

// assertLinkTargetsAlone checks that a symlink fixture's target is
// unchanged and a dangling one's was not created.
func assertLinkTargetsAlone(t *testing.T, dir string) {
	t.Helper()
	if _, err := os.Lstat(filepath.Join(dir, "nowhere")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the dangling link's target was created (%v)", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "other")); err == nil {
		assertFile(t, filepath.Join(dir, "other"), "other", 0o644)
	}
}

// checkErr checks that err says want (or is nil when want is ""), names
// path, and wraps is when is is not nil.
func checkErr(t *testing.T, err error, path, want string, is error) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Fatal(err)
		}
		return
	}
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v, want one naming %s and saying %q", err, path, want)
	}
	if is != nil && !errors.Is(err, is) {
		t.Errorf("error %v does not wrap %v", err, is)
	}
}

func TestLstat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		prepare fixture
		wantFI  bool
		wantErr string
		is      error
	}{
		{"missing", nothing, false, "", nil},
		{"regular file", regular, true, "", nil},
		{"symlink", symlink, false, "lock file", ErrSymlink},
		{"dangling symlink", dangling, false, "is a symbolic link", ErrSymlink},
		{"folder", folder, false, "lock file", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "x.lock")
			tc.prepare(t, dir, path)
			fi, err := Lstat(path, "lock file")
			checkErr(t, err, path, tc.wantErr, tc.is)
			if (fi != nil) != tc.wantFI {
				t.Errorf("FileInfo %v, want one: %v", fi, tc.wantFI)
			}
		})
	}
}

func TestOpenNoFollow(t *testing.T) {
	t.Parallel()
	const create = os.O_CREATE | os.O_RDWR
	for _, tc := range []struct {
		name    string
		prepare fixture
		flag    int
		wantErr string
		is      error
	}{
		{"creates 0600", nothing, create, "", nil},
		{"opens an existing file", regular, create, "", nil},
		{"reads an existing file", regular, os.O_RDONLY, "", nil},
		{"missing", nothing, os.O_RDONLY, "no such file", fs.ErrNotExist},
		{"exclusive on an existing file", regular, create | os.O_EXCL, "exists", fs.ErrExist},
		{"symlink", symlink, create, "symbolic link", ErrSymlink},
		{"symlink read", symlink, os.O_RDONLY, "symbolic link", ErrSymlink},
		{"dangling symlink", dangling, create, "symbolic link", ErrSymlink},
		{"dangling symlink exclusive", dangling, create | os.O_EXCL, "symbolic link", ErrSymlink},
		{"folder", folder, os.O_RDONLY, "not a regular file", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "x.lock")
			tc.prepare(t, dir, path)
			f, err := OpenNoFollow(path, "lock file", tc.flag, 0o600)
			checkErr(t, err, path, tc.wantErr, tc.is)
			if err != nil {
				assertLinkTargetsAlone(t, dir)
				return
			}
			f.Close()
			if _, err := os.Lstat(filepath.Join(dir, "other")); err == nil {
				t.Fatal("opened through a link")
			}
			want, perm := "old", fs.FileMode(0o644) // the regular fixture
			if tc.name == "creates 0600" {
				want, perm = "", 0o600
			}
			assertFile(t, path, want, perm)
		})
	}
}

func TestReplaceFile(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		prepare fixture
		wantErr string
		is      error
	}{
		{"new file", nothing, "", nil},
		{"replaces a group-readable file, leaving 0600", regular, "", nil},
		{"symlink to a file", symlink, "symbolic link", ErrSymlink},
		{"dangling symlink", dangling, "symbolic link", ErrSymlink},
		{"folder", folder, "not a regular file", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "out.json")
			tc.prepare(t, dir, path)
			before, _ := os.ReadDir(dir)
			var steps []string
			err := ReplaceFile(path, []byte("new"), 0o600, func(step string) error {
				steps = append(steps, step)
				return nil
			})
			checkErr(t, err, path, tc.wantErr, tc.is)
			if err != nil {
				if after, _ := os.ReadDir(dir); len(after) != len(before) {
					t.Errorf("folder had %d entries, now %d", len(before), len(after))
				}
				assertLinkTargetsAlone(t, dir)
				return
			}
			assertFile(t, path, "new", 0o600)
			if after, _ := os.ReadDir(dir); len(after) != 1 {
				t.Errorf("folder holds %d entries, want 1 (a temp file left?)", len(after))
			}
			// The data and the folder are fsynced, in this order.
			if got, want := strings.Join(steps, ","), "write,sync,rename,sync folder"; got != want {
				t.Errorf("steps %s, want %s", got, want)
			}
		})
	}
}

// TestReplaceFileFails: a write that fails at any step before the rename
// leaves the old file intact and no temp file behind; a failed fsync of
// the folder leaves the new file.
func TestReplaceFileFails(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	for _, tc := range []struct {
		step, want string
	}{
		{"write", "old"}, {"sync", "old"}, {"rename", "old"}, {"sync folder", "new"},
	} {
		t.Run(tc.step, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "creds.json")
			writeFile(t, path, "old", 0o600)
			err := ReplaceFile(path, []byte("new"), 0o600, func(step string) error {
				if step == tc.step {
					return boom
				}
				return nil
			})
			checkErr(t, err, path, "boom", boom)
			assertFile(t, path, tc.want, 0o600)
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("folder holds %d entries, want 1 (a temp file left?)", len(entries))
			}
		})
	}
}

// TestRemoveStaleTemps removes what a crashed ReplaceFile left, and only
// that.
func TestRemoveStaleTemps(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "a[1].json")
	writeFile(t, path, "keep", 0o600)
	stale := filepath.Join(dir, tempPrefix("a[1].json")+"123")
	writeFile(t, stale, "half", 0o600)
	other := filepath.Join(dir, tempPrefix("b.json")+"123")
	writeFile(t, other, "keep", 0o600)
	RemoveStaleTemps(path)
	if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temp file left (%v)", err)
	}
	assertFile(t, path, "keep", 0o600)
	assertFile(t, other, "keep", 0o600)
}

func TestRemoveFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "creds.json")
	writeFile(t, path, "x", 0o600)
	for range 2 { // the second time there is nothing to remove
		if err := RemoveFile(path); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Lstat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("file still there (%v)", err)
	}
}
