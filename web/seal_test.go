package web

import (
	"testing"
	"time"
)

func TestSealer(t *testing.T) {
	t.Parallel()
	k1, k2 := NewCookieKey(), NewCookieKey()
	old := must(newSealer([][]byte{k1}))
	rotated := must(newSealer([][]byte{k2, k1}))
	retired := must(newSealer([][]byte{k2}))
	now := time.Unix(1e9, 0)
	v := old.seal("session", now.Add(time.Hour), []byte("key"))
	for _, tc := range []struct {
		name   string
		s      *sealer
		cookie string
		at     time.Time
		ok     bool
	}{
		{"same key", old, "session", now, true},
		{"rotated: old key second", rotated, "session", now, true},
		{"retired key", retired, "session", now, false},
		{"another cookie", old, "other", now, false},
		{"expired", old, "session", now.Add(time.Hour), false},
	} {
		got, err := tc.s.open(tc.cookie, v, tc.at)
		if (err == nil) != tc.ok || (tc.ok && string(got) != "key") {
			t.Errorf("%s: %q, %v", tc.name, got, err)
		}
	}
	if v2 := rotated.seal("session", now.Add(time.Hour), []byte("key")); v2 == v {
		t.Error("two seals of one value are equal")
	} else if _, err := old.open("session", v2, now); err == nil {
		t.Error("a value sealed with the new key opened with the old one only")
	}
}

// FuzzOpen checks that no cookie value crashes open, and that none but
// the sealed one opens.
func FuzzOpen(f *testing.F) {
	s := must(newSealer([][]byte{NewCookieKey()}))
	now := time.Unix(1e9, 0)
	good := s.seal("c", now.Add(time.Hour), []byte("payload"))
	f.Add(good)
	f.Add("")
	f.Add(good[:len(good)-1])
	f.Fuzz(func(t *testing.T, v string) {
		p, err := s.open("c", v, now)
		if err == nil && (v != good || string(p) != "payload") {
			t.Fatalf("open(%q) = %q", v, p)
		}
	})
}
