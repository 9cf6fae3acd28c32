package tools

import (
	"errors"
	"os/exec"
	"runtime"
)

// openBrowser asks the system to open u in the user's browser and returns
// without waiting for it.
func openBrowser(u string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", u)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", u)
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly", "illumos", "solaris":
		cmd = exec.Command("xdg-open", u)
	default:
		return errors.New("no known way to open a browser on " + runtime.GOOS)
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap the opener; its exit status does not matter
	return nil
}

// OpenBrowser asks the system to open u in the user's browser and returns
// without waiting for it, as [RunFlow] does by default.
func OpenBrowser(u string) error { return openBrowser(u) }
