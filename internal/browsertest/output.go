package browsertest

import "strings"

// quiet returns the browser's output without the lines of its complaints
// about the missing D-Bus (no desktop session in a test), which drown the
// rest.
func quiet(output string) string {
	var keep []string
	for line := range strings.Lines(output) {
		if !strings.Contains(line, ":ERROR:dbus/") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}
