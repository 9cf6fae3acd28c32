package file

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrSymlink is wrapped by the error for a credentials file or lock file
// that is a symbolic link: it is refused, never followed.
var ErrSymlink = errors.New("symbolic links are refused")

// ErrCorrupt is wrapped by the error for a file that cannot be read as any
// known format; such a file is never overwritten.
var ErrCorrupt = errors.New("corrupt credentials file")

// MaxFileSize bounds the size of a credentials file this package reads.
const MaxFileSize = 256 << 20

// refuseSymlink fails when path is a symbolic link.
func refuseSymlink(path, what string) error {
	fi, err := os.Lstat(path)
	if err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("store/file: %s %s is a symbolic link: %w", what, path, ErrSymlink)
	}
	return nil
}

// readFile reads path, not following a symbolic link; a missing file reads
// as nil.
func readFile(path string) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|oNoFollow, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if errors.Is(err, syscall.ELOOP) {
		return nil, fmt.Errorf("store/file: credentials file %s is a symbolic link: %w", path, ErrSymlink)
	}
	if err != nil {
		return nil, fmt.Errorf("store/file: read %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("store/file: read %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("store/file: %s is not a regular file", path)
	}
	b, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("store/file: read %s: %w", path, err)
	}
	if len(b) > MaxFileSize {
		return nil, fmt.Errorf("store/file: %s exceeds %d bytes", path, MaxFileSize)
	}
	return b, nil
}

// writeHook, when set (by tests), runs at each step of writeFile; an error
// it returns makes the write fail at that step.
type writeHook func(step string) error

// writeFile replaces path with data crash-safely: a temp file in the same
// folder (mode 0600), written, fsynced, renamed over path, and the folder
// fsynced. On failure path keeps its old contents.
func writeFile(path string, data []byte, hook writeHook) (err error) {
	step := func(name string) error {
		if hook != nil {
			return hook(name)
		}
		return nil
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := refuseSymlink(path, "credentials file"); err != nil {
		return err
	}
	// Temp files are made only under the exclusive lock, which we hold: any
	// left now belong to a writer that crashed.
	if stale, _ := filepath.Glob(filepath.Join(dir, "."+escapeGlob(base)+".tmp-*")); len(stale) > 0 {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("store/file: write %s: create temp file in %s: %w", path, dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	wrap := func(what string, err error) error {
		return fmt.Errorf("store/file: write %s: %s %s: %w", path, what, tmp.Name(), err)
	}
	if err := tmp.Chmod(0o600); err != nil {
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
	return syncDir(dir)
}

// removeFile deletes path and fsyncs its folder.
func removeFile(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store/file: remove %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store/file: fsync folder %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) {
		return fmt.Errorf("store/file: fsync folder %s: %w", dir, err)
	}
	return nil
}

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
