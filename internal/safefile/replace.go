package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Hook, when given to [ReplaceFile] (by tests), runs before each step of
// the write: "write", "sync", "rename" and "sync folder". An error it
// returns makes that step fail with it.
type Hook func(step string) error

// ReplaceFile creates or replaces the file at path with data, mode perm,
// crash-safely: data goes to a new temp file in the same folder, created
// exclusively (O_EXCL) with mode 0600 then set to perm, which is fsynced
// and renamed over path; then the folder is fsynced. A symbolic link at
// path, dangling or not, is refused ([ErrSymlink]), and so is anything but
// a regular file and a folder other users could change
// ([ErrUnsafeFolder]). Rename replaces a link planted after the check
// rather than following it. On failure path keeps its old contents and
// no temp file is left, except when only the fsync of the folder fails
// (the new file is in place, but may not survive a crash). Errors name
// path. hook may be nil.
func ReplaceFile(path string, data []byte, perm fs.FileMode, hook Hook) (err error) {
	step := func(name string) error {
		if hook != nil {
			return hook(name)
		}
		return nil
	}
	if _, err := Lstat(path, "file"); err != nil {
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := checkFolder(dir); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, tempPrefix(base)+"*") // O_EXCL, mode 0600
	if err != nil {
		return fmt.Errorf("write %s: create temp file in %s: %w", path, dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	wrap := func(what string, err error) error {
		return fmt.Errorf("write %s: %s %s: %w", path, what, tmp.Name(), err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return wrap("chmod", err)
	}
	if err := step("write"); err != nil {
		return wrap("write", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return wrap("write", err)
	}
	if err := step("sync"); err != nil {
		return wrap("fsync", err)
	}
	if err := tmp.Sync(); err != nil {
		return wrap("fsync", err)
	}
	if err := tmp.Close(); err != nil {
		return wrap("close", err)
	}
	if err := step("rename"); err != nil {
		return wrap("rename", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return wrap("rename", err)
	}
	if err := step("sync folder"); err != nil {
		return fmt.Errorf("write %s: fsync folder %s: %w", path, dir, err)
	}
	if err := syncFolder(dir); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// RemoveFile deletes the file at path, if any, and fsyncs its folder.
func RemoveFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	if err := syncFolder(filepath.Dir(path)); err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return nil
}

// RemoveStaleTemps deletes the temp files [ReplaceFile] left beside path
// when a writer crashed. Call it only under a lock every writer of path
// holds while it writes: otherwise it removes the temp file of a write in
// progress, and that write fails.
func RemoveStaleTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	stale, _ := filepath.Glob(filepath.Join(dir, escapeGlob(tempPrefix(base))+"*"))
	for _, f := range stale {
		os.Remove(f)
	}
}

// tempPrefix begins the names of the temp files ReplaceFile makes for a
// file named base: hidden, and telling which file they stand for.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// escapeGlob quotes the pattern characters of s for filepath.Glob.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
