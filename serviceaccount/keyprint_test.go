package serviceaccount

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Printing or logging a key, or credentials holding one, never shows the
// private key (found in review: %+v printed the PEM).
func TestKeyNeverPrinted(t *testing.T) {
	t.Parallel()
	k := testKey(t, "https://oauth2.example/token")
	creds := &PythonCredentials{Key: k, Scopes: []string{"s"}}
	var log bytes.Buffer
	slog.New(slog.NewTextHandler(&log, nil)).Info("x", "key", k, "creds", creds)
	for _, out := range []string{
		fmt.Sprint(k), fmt.Sprintf("%+v", k), fmt.Sprintf("%#v", k),
		fmt.Sprintf("%+v", creds), fmt.Sprintf("%v", *creds), log.String(),
	} {
		if strings.Contains(out, "PRIVATE KEY") || strings.Contains(out, k.priv.D.String()[:24]) ||
			(k.pem != "" && strings.Contains(out, k.pem[40:80])) {
			t.Errorf("output shows the private key: %.200s", out)
		}
		if !strings.Contains(out, k.Email()) {
			t.Errorf("output does not name the account: %.200s", out)
		}
	}
}
