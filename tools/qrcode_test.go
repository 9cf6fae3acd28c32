package tools

import (
	"image"
	"image/color"
	"strings"
	"testing"

	qr "github.com/piglig/go-qr"
)

// TestTerminalQRCodeScans draws codes as the terminal shows them and reads
// them back with a QR decoder, as a phone camera would: the half blocks
// must stand for the right modules, the right way up, with a quiet zone.
func TestTerminalQRCodeScans(t *testing.T) {
	t.Parallel()
	for _, text := range []string{
		"http://127.0.0.1:8765/device?user_code=ABCD-EFGH",
		"https://accounts.example.com/device?user_code=WDJB-MJHT&client=a-rather-long-client-identifier-to-need-a-larger-version",
		"A",
	} {
		drawing, err := terminalQRCode(text)
		if err != nil {
			t.Fatal(err)
		}
		img := terminalDrawingImage(t, drawing)
		got, err := qr.Decode(img)
		if err != nil {
			t.Fatalf("decoding the drawing of %q: %v\n%s", text, err, drawing)
		}
		if got != text {
			t.Errorf("drawing of %q scans as %q", text, got)
		}
	}
}

// terminalDrawingImage turns a half-block drawing into a black-on-white
// image, eight pixels a module, as a dark terminal would show it.
func terminalDrawingImage(t *testing.T, drawing string) image.Image {
	t.Helper()
	const scale = 8
	lines := strings.Split(strings.TrimRight(drawing, "\n"), "\n")
	width := len([]rune(lines[0]))
	img := image.NewGray(image.Rect(0, 0, width*scale, 2*len(lines)*scale))
	paint := func(x, y int, light bool) {
		c := color.Gray{}
		if light {
			c.Y = 0xff
		}
		for dy := range scale {
			for dx := range scale {
				img.SetGray(x*scale+dx, y*scale+dy, c)
			}
		}
	}
	for row, line := range lines {
		runes := []rune(line)
		if len(runes) != width {
			t.Fatalf("line %d is %d wide, line 0 is %d: not a rectangle", row, len(runes), width)
		}
		for x, r := range runes {
			var top, bottom bool
			switch r {
			case '█':
				top, bottom = true, true
			case '▀':
				top = true
			case '▄':
				bottom = true
			case ' ':
			default:
				t.Fatalf("line %d holds %q, not a half block", row, r)
			}
			paint(x, 2*row, top)
			paint(x, 2*row+1, bottom)
		}
	}
	return img
}
