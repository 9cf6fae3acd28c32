package tools

import (
	qrcode "github.com/skip2/go-qrcode"
)

// terminalQRCode draws text as a QR code with Unicode half blocks, two
// modules a character: light modules (and the quiet zone around the code)
// as blocks, so that on the usual dark terminal background the code shows
// dark on light, as phone cameras expect.
func terminalQRCode(text string) (string, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return "", err
	}
	return q.ToSmallString(false), nil
}
