//go:build !unix

package safefile

// NoFollow is the open flag that makes open fail on a symbolic link at
// the last element of the path: none here (0), so callers look for a link
// with [Lstat] before opening.
const NoFollow = 0
