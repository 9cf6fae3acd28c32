package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// errSymlink is wrapped by the error for a file the command line would
// create or replace that is a symbolic link: it is refused, never followed.
var errSymlink = errors.New("is a symbolic link: refusing to write through it")

// writeFileSafe creates or replaces path with data, mode 0600, without ever
// following or writing through a symbolic link: a symbolic link at path
// (dangling or not) or anything but a regular file is refused. The data
// goes to a new temp file in the same folder, created exclusively (O_EXCL,
// mode 0600), which is fsynced and renamed over path; rename replaces a
// link planted after the check rather than following it. On failure path
// keeps its old contents. Every file the command line creates goes through
// here.
func writeFileSafe(path string, data []byte) (err error) {
	fi, err := os.Lstat(path)
	switch {
	case err == nil && fi.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("%s %w", path, errSymlink)
	case err == nil && !fi.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return err
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*") // O_EXCL, mode 0600
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("%s: fsync: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
