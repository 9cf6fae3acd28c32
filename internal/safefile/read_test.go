package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	haveLink := os.Symlink(small, link) == nil
	for _, tc := range []struct {
		name     string
		path     string
		limit    int64
		noFollow bool
		want     string
		wantErr  error
	}{
		{"at the limit", small, 5, false, "12345", nil},
		{"over the limit", small, 4, false, "", ErrTooLarge},
		{"zero limit", small, 0, false, "", ErrTooLarge},
		{"missing", filepath.Join(dir, "missing"), 10, false, "", fs.ErrNotExist},
		{"link followed", link, 10, false, "12345", nil},
		{"no follow, at the limit", small, 5, true, "12345", nil},
		{"no follow, over the limit", small, 1, true, "", ErrTooLarge},
		{"no follow, link refused", link, 10, true, "", ErrSymlink},
		{"no follow, folder refused", dir, 10, true, "", errNotRegular},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.path == link && (!haveLink || runtime.GOOS == "windows") {
				t.Skip("no symbolic links here")
			}
			var (
				got []byte
				err error
			)
			if tc.noFollow {
				got, err = ReadNoFollow(tc.path, "test file", tc.limit)
			} else {
				got, err = ReadFile(tc.path, tc.limit)
			}
			switch {
			case tc.wantErr == errNotRegular:
				if err == nil || !strings.Contains(err.Error(), "not a regular file") {
					t.Fatalf("err = %v, want not a regular file", err)
				}
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			case err != nil || string(got) != tc.want:
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), tc.path) {
				t.Errorf("the error %q does not name the file", err)
			}
		})
	}
}

// errNotRegular marks the case of a path that is not a regular file.
var errNotRegular = errors.New("not a regular file")
