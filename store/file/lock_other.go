//go:build !unix

package file

import (
	"context"
	"os"
)

// recordLock does nothing where POSIX record locks do not exist; flock
// (LockFileEx on Windows) alone excludes other users of this package.
func recordLock(context.Context, *os.File, bool) error { return nil }

func recordUnlock(*os.File) {}
