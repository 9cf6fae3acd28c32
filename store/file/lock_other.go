//go:build !unix

package file

import "os"

// recordTry takes nothing where POSIX record locks do not exist; flock
// (LockFileEx on Windows) alone excludes other users of this package.
func recordTry(*os.File, bool) func() (bool, error) {
	return func() (bool, error) { return true, nil }
}

func recordUnlock(*os.File) {}
