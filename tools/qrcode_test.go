package tools

import (
	"strings"
	"testing"
)

func TestTerminalQRCode(t *testing.T) {
	qr, err := terminalQRCode("http://127.0.0.1:8765/device?user_code=ABCD-EFGH")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(qr, "\n"), "\n")
	if len(lines) < 10 {
		t.Fatalf("QR code of %d lines:\n%s", len(lines), qr)
	}
	width := len([]rune(lines[0]))
	for i, l := range lines {
		if n := len([]rune(l)); n != width {
			t.Fatalf("line %d is %d wide, line 0 is %d: not a rectangle", i, n, width)
		}
		if strings.Trim(l, " █▀▄") != "" {
			t.Fatalf("line %d holds other characters than half blocks: %q", i, l)
		}
	}
}
