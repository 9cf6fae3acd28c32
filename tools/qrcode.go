package tools

import (
	"strings"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// qrQuietZone is the light border around a QR code, in modules, that
// scanners need to find it (ISO/IEC 18004 asks for four).
const qrQuietZone = 4

// terminalQRCode draws text as a QR code with Unicode half blocks, two
// modules a character: light modules (and the quiet zone around the code)
// as blocks, so that on the usual dark terminal background the code shows
// dark on light, as phone cameras expect.
//
// The encoder is yeqown/go-qrcode: kept, and cheap to link, as a command
// line needs: its package initialisation is a few small tables, where
// piglig/go-qr's fills a 512 KiB Kanji table in every process that links
// it (0.3 ms and half a MiB on each `oauth2client token`).
func terminalQRCode(text string) (string, error) {
	code, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return "", err
	}
	var m matrixWriter
	if err := code.Save(&m); err != nil {
		return "", err
	}
	n := len(m.dark)
	// light reports whether the module at (x, y) of the padded code is
	// light; modules outside the code are the quiet zone.
	light := func(x, y int) bool {
		x, y = x-qrQuietZone, y-qrQuietZone
		if x < 0 || y < 0 || x >= n || y >= n {
			return true
		}
		return !m.dark[y][x]
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

// matrixWriter keeps the modules of a QR code (true: dark), row by row,
// as the encoder hands them over.
type matrixWriter struct{ dark [][]bool }

// Write keeps mat's modules.
func (w *matrixWriter) Write(mat qrcode.Matrix) error {
	w.dark = mat.Bitmap()
	return nil
}

// Close does nothing.
func (w *matrixWriter) Close() error { return nil }
