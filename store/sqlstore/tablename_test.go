package sqlstore

import (
	"strings"
	"testing"
)

func TestValidTableName(t *testing.T) {
	for name, want := range map[string]bool{
		"oauth2client_credentials": true, "_x": true, "a1": true,
		"": false, "1a": false, "A": false, "a-b": false, "a b": false, `a"b`: false, "é": false,
		strings.Repeat("a", 48): true, strings.Repeat("a", 49): false,
	} {
		if got := validTableName(name); got != want {
			t.Errorf("validTableName(%q) = %t, want %t", name, got, want)
		}
	}
}
