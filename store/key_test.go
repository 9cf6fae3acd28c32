package store_test

import (
	"testing"

	"github.com/oauth2client/oauth2client/store"
)

func TestClassicKey(t *testing.T) {
	tests := []struct {
		name, id, ua string
		scopes       []string
		want         string
	}{
		{"basic", "c", "ua", []string{"a", "b"}, `{"clientId":"c","scope":"a b","userAgent":"ua"}`},
		{"order kept", "c", "ua", []string{"b", "a"}, `{"clientId":"c","scope":"b a","userAgent":"ua"}`},
		{"no scopes", "c", "", nil, `{"clientId":"c","scope":"","userAgent":""}`},
		{"no html escaping", "c&d", "<ua>", []string{"x"}, `{"clientId":"c&d","scope":"x","userAgent":"<ua>"}`},
		{"reference", "conf-client", "peers-test/1.0", []string{"api:read", "openid"},
			`{"clientId":"conf-client","scope":"api:read openid","userAgent":"peers-test/1.0"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := store.ClassicKey(tt.id, tt.ua, tt.scopes); got != tt.want {
				t.Errorf("ClassicKey = %s, want %s", got, tt.want)
			}
		})
	}
}
