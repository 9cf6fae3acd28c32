package browsertest

import (
	"bytes"
	"strings"
	"sync"
)

// limitedBuffer keeps the first max bytes written to it and drops the rest:
// the browser's output, shown when a test fails.
type limitedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.max - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *limitedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// quiet returns the output without the lines of Chromium's complaints about
// the missing D-Bus (no desktop session in a test), which drown the rest.
func (b *limitedBuffer) quiet() string {
	var keep []string
	for line := range strings.Lines(b.String()) {
		if !strings.Contains(line, ":ERROR:dbus/") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "")
}
