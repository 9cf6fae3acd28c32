//go:build unix

package safefile

import "syscall"

// NoFollow is the open flag that makes open fail on a symbolic link at
// the last element of the path: O_NOFOLLOW here.
const NoFollow = syscall.O_NOFOLLOW
