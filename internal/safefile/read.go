package safefile

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrTooLarge reports a file larger than the limit a read allows.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads the named file, as os.ReadFile does (a symbolic link is
// followed), refusing one larger than limit bytes with an error wrapping
// [ErrTooLarge]; at most limit+1 bytes are read. Its errors name the file.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	defer f.Close()
	return readLimited(f, path, limit)
}

// ReadNoFollow reads the named file as [ReadFile] does, but opens it as
// [OpenNoFollow] does: a symbolic link or anything but a regular file is
// refused. what (such as "credentials file") and path name the file in
// errors.
func ReadNoFollow(path, what string, limit int64) ([]byte, error) {
	f, err := OpenNoFollow(path, what, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readLimited(f, what+" "+path, limit)
}

// readLimited reads r, named name in errors, failing when it holds more
// than limit bytes.
func readLimited(r io.Reader, name string, limit int64) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: %w: it exceeds %d bytes", name, ErrTooLarge, limit)
	}
	return data, nil
}
