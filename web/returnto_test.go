package web

import (
	"net/url"
	"testing"
)

func TestCheckReturnTo(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"/", "/", true},
		{"/calendars?week=2", "/calendars?week=2", true},
		{"/a/b#frag", "/a/b", true},
		{"/%2F%2Fevil.example", "/%2F%2Fevil.example", true},
		{"//evil.example", "", false},
		{"https://evil.example", "", false},
		{"/\\evil.example", "", false},
		{"javascript:alert(1)", "", false},
		{"", "", false},
		{"evil.example", "", false},
		{"/a\\b", "", false},
		{"/a b", "", false},
		{"/\tevil", "", false},
		{"///evil.example", "", false},
		{"/ok\x00", "", false},
	} {
		got, err := CheckReturnTo(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("CheckReturnTo(%q) = %q, %v; want %q, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzCheckReturnTo checks that whatever CheckReturnTo accepts, resolved
// against the site's origin as a browser does, stays on that origin.
func FuzzCheckReturnTo(f *testing.F) {
	for _, s := range []string{"/", "/a?b=c", "//evil.example", "https://evil.example", "/\\evil.example", "javascript:x", "/%2F/x", "/..//x"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://app.example/")
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := CheckReturnTo(raw)
		if err != nil {
			return
		}
		ref, err := url.Parse(got)
		if err != nil {
			t.Fatalf("CheckReturnTo(%q) = %q, which does not parse: %v", raw, got, err)
		}
		u := base.ResolveReference(ref)
		if u.Scheme != "https" || u.Host != "app.example" || u.User != nil {
			t.Fatalf("CheckReturnTo(%q) = %q leaves the origin: %s", raw, got, u)
		}
		if got == "" || got[0] != '/' || (len(got) > 1 && (got[1] == '/' || got[1] == '\\')) {
			t.Fatalf("CheckReturnTo(%q) = %q, not a single-slash path", raw, got)
		}
	})
}
