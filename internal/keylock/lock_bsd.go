//go:build unix && !linux

package keylock

import "golang.org/x/sys/unix"

// setLock takes or releases a POSIX record lock. Such locks belong to the
// process (goroutines of this process are kept apart by the slots), and
// closing any descriptor of the lock file in this process drops them all:
// do not open the lock file by other means.
const setLock = unix.F_SETLK
