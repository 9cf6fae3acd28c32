//go:build !linux

package keyring

import "syscall"

// daemonProcAttr is nil off Linux, where no daemon is started.
func daemonProcAttr() *syscall.SysProcAttr { return nil }
