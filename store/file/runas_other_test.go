//go:build !unix

package file

import "os/exec"

// runAs does nothing: only Unix root runs a child as another user.
func runAs(*exec.Cmd, uint32) {}
