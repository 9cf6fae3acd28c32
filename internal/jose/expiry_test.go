package jose

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestUnverifiedExpiry(t *testing.T) {
	t.Parallel()
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	jws := func(payload string) string { return seg(`{"alg":"RS256"}`) + "." + seg(payload) + ".c2ln" }
	tests := []struct {
		name    string
		in      string
		want    time.Time
		wantErr error
	}{
		{"integer", jws(`{"exp":1700000000}`), time.Unix(1700000000, 0), nil},
		{"fraction", jws(`{"exp":1700000000.75}`), time.Unix(1700000000, 0), nil},
		{"no exp", jws(`{"aud":"a"}`), time.Time{}, ErrMalformed},
		{"exp a string", jws(`{"exp":"1700000000"}`), time.Time{}, ErrMalformed},
		{"negative", jws(`{"exp":-1}`), time.Time{}, ErrMalformed},
		{"huge", jws(`{"exp":1e300}`), time.Time{}, ErrMalformed},
		{"not JSON", jws(`exp`), time.Time{}, ErrMalformed},
		{"two segments", "a.b", time.Time{}, ErrMalformed},
		{"bad base64", "a.!!.c", time.Time{}, ErrMalformed},
		{"too large", strings.Repeat("a", MaxCompactSize+1), time.Time{}, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := UnverifiedExpiry(tc.in)
			if !errors.Is(err, tc.wantErr) || !got.Equal(tc.want) {
				t.Errorf("UnverifiedExpiry = %v, %v; want %v, %v", got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func FuzzUnverifiedExpiry(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.eyJleHAiOjE3MDAwMDAwMDB9.c2ln")
	f.Add("a.b.c")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		exp, err := UnverifiedExpiry(s)
		if err == nil && (exp.IsZero() || exp.Unix() <= 0) {
			t.Fatalf("accepted %q with expiry %v", s, exp)
		}
		if err != nil && !exp.IsZero() {
			t.Fatalf("error %v with expiry %v", err, exp)
		}
	})
}
