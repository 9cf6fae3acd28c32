package oauth2test

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedirectAllowed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		client Client
		uri    string
		want   bool
	}{
		{"exact", Client{RedirectURIs: []string{"https://app.example/cb"}}, "https://app.example/cb", true},
		{"other path", Client{RedirectURIs: []string{"https://app.example/cb"}}, "https://app.example/cb2", false},
		{"other port non-loopback", Client{RedirectURIs: []string{"https://app.example/cb"}}, "https://app.example:444/cb", false},
		{"127.0.0.1 any port", Client{RedirectURIs: []string{"http://127.0.0.1/cb"}}, "http://127.0.0.1:51000/cb", true},
		{"127.0.0.1 registered port, other port", Client{RedirectURIs: []string{"http://127.0.0.1:80/cb"}}, "http://127.0.0.1:51000/cb", true},
		{"[::1] any port", Client{RedirectURIs: []string{"http://[::1]/"}}, "http://[::1]:8080/", true},
		{"localhost any port", Client{RedirectURIs: []string{"http://localhost/cb"}}, "http://localhost:1/cb", true},
		{"loopback other path", Client{RedirectURIs: []string{"http://127.0.0.1/cb"}}, "http://127.0.0.1:5/x", false},
		{"loopback other host", Client{RedirectURIs: []string{"http://127.0.0.1/cb"}}, "http://localhost:5/cb", false},
		{"loopback https not widened", Client{RedirectURIs: []string{"https://127.0.0.1/cb"}}, "https://127.0.0.1:5/cb", false},
		{"fragment", Client{RedirectURIs: []string{"https://app.example/cb"}}, "https://app.example/cb#x", false},
		{"any loopback", Client{AnyLoopbackRedirect: true}, "http://127.0.0.1:9/any/path?q=1", true},
		{"any loopback localhost", Client{AnyLoopbackRedirect: true}, "http://localhost:9/", true},
		{"any loopback refuses remote", Client{AnyLoopbackRedirect: true}, "http://example.com/", false},
		{"any loopback refuses userinfo", Client{AnyLoopbackRedirect: true}, "http://x@127.0.0.1/", false},
		{"any loopback refuses https", Client{AnyLoopbackRedirect: true}, "https://127.0.0.1/", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.client.redirectAllowed(tc.uri); got != tc.want {
				t.Errorf("redirectAllowed(%q) = %v, want %v", tc.uri, got, tc.want)
			}
		})
	}
}

// unescapeLabel reverses escapeLabel.
func unescapeLabel(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\"`, `"`, `\n`, "\n").Replace(s)
}

func FuzzEscapeLabel(f *testing.F) {
	for _, s := range []string{"", "authorization_code", `a"b`, `a\b`, "a\nb", `\n`, "\xff", `\"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := escapeLabel(s)
		if strings.Contains(e, "\n") || !utf8.ValidString(e) {
			t.Fatalf("escapeLabel(%q) = %q", s, e)
		}
		for i := 0; i < len(e); i++ {
			if e[i] == '"' && (i == 0 || e[i-1] != '\\') {
				t.Fatalf("escapeLabel(%q) = %q has a bare quote", s, e)
			}
		}
		if utf8.ValidString(s) && unescapeLabel(e) != s {
			t.Fatalf("escapeLabel(%q) = %q does not round-trip", s, e)
		}
	})
}
