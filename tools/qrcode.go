package tools

import (
	"strings"

	qr "github.com/piglig/go-qr"
)

// qrQuietZone is the light border around a QR code, in modules, that
// scanners need to find it (ISO/IEC 18004 asks for four).
const qrQuietZone = 4

// terminalQRCode draws text as a QR code with Unicode half blocks, two
// modules a character: light modules (and the quiet zone around the code)
// as blocks, so that on the usual dark terminal background the code shows
// dark on light, as phone cameras expect.
func terminalQRCode(text string) (string, error) {
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return "", err
	}
	n := code.Size()
	// light reports whether the module at (x, y) of the padded code is
	// light; modules outside the code are the quiet zone.
	light := func(x, y int) bool {
		x, y = x-qrQuietZone, y-qrQuietZone
		if x < 0 || y < 0 || x >= n || y >= n {
			return true
		}
		return !code.Module(x, y)
	}
	side := n + 2*qrQuietZone
	var b strings.Builder
	for y := 0; y < side; y += 2 {
		for x := range side {
			top, bottom := light(x, y), y+1 < side && light(x, y+1)
			switch {
			case top && bottom:
				b.WriteRune('█')
			case top:
				b.WriteRune('▀')
			case bottom:
				b.WriteRune('▄')
			default:
				b.WriteByte(' ')
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}
