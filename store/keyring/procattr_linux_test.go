package keyring

import "syscall"

// daemonProcAttr makes a daemon die with the test binary.
func daemonProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
