//go:build !unix

package pgtest

import "os/exec"

// runAs does nothing: only Unix root runs the server as another user.
func runAs(*exec.Cmd, *ids) {}
