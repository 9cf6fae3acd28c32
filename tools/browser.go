package tools

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// The opener is ours rather than github.com/cli/browser's, for three
// reasons a login flow and a scripted `token` run depend on:
//   - it starts the opener and returns; cli/browser waits for it (cmd.Run),
//     so a terminal browser from $BROWSER or a slow xdg-open would hold up the
//     flow whose loopback listener is waiting for that very browser;
//   - the opener's own output goes nowhere; cli/browser copies it to the
//     process's standard output by default (a package variable), which would
//     corrupt the JSON or token a command prints there;
//   - it honours $BROWSER as Python's webbrowser module (and so Python
//     oauth2client) did.

// browserCommand returns the command that opens u: the first command of
// $BROWSER (a list separated like PATH, each a program and arguments, with
// %s standing for the URL, else the URL appended) that is installed, else
// the system's opener. getenv and lookPath are os.Getenv and exec.LookPath
// outside tests.
func browserCommand(u, goos string, getenv func(string) string, lookPath func(string) (string, error)) (*exec.Cmd, error) {
	for entry := range strings.SplitSeq(getenv("BROWSER"), string(filepath.ListSeparator)) {
		args := strings.Fields(entry)
		if len(args) == 0 {
			continue
		}
		if _, err := lookPath(args[0]); err != nil {
			continue
		}
		substituted := false
		for i, a := range args[1:] {
			if strings.Contains(a, "%s") {
				args[i+1], substituted = strings.ReplaceAll(a, "%s", u), true
			}
		}
		if !substituted {
			args = append(args, u)
		}
		return exec.Command(args[0], args[1:]...), nil
	}
	switch goos {
	case "darwin":
		return exec.Command("open", u), nil
	case "windows":
		return exec.Command("rundll32", "url.dll,FileProtocolHandler", u), nil
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly", "illumos", "solaris":
		// xdg-open on desktops, Debian's alternative where it is missing, and
		// wslview under Windows Subsystem for Linux.
		for _, opener := range []string{"xdg-open", "x-www-browser", "wslview"} {
			if _, err := lookPath(opener); err == nil {
				return exec.Command(opener, u), nil
			}
		}
		return nil, errors.New("no browser opener found: install xdg-utils or set BROWSER")
	}
	return nil, errors.New("no known way to open a browser on " + goos + ": set BROWSER")
}

// openBrowser asks the system to open u in the user's browser and returns
// without waiting for it.
func openBrowser(u string) error {
	cmd, err := browserCommand(u, runtime.GOOS, os.Getenv, exec.LookPath)
	if err != nil {
		return err
	}
	// Stdout and Stderr stay nil: the opener's chatter goes to the null
	// device, never into what the program prints.
	if err := cmd.Start(); err != nil {
		return err
	}
	go cmd.Wait() // reap the opener; its exit status does not matter
	return nil
}

// OpenBrowser asks the system to open u in the user's browser and returns
// without waiting for it, as [RunFlow] does by default. A $BROWSER setting
// (programs separated like PATH, %s standing for the URL) comes first, as in
// Python's webbrowser module.
func OpenBrowser(u string) error { return openBrowser(u) }
