package web

import (
	"errors"
	"net/url"
	"strings"
)

// errReturnTo is the reason every refused return_to gets: the value is not
// quoted, since it comes from a link anyone can craft.
var errReturnTo = errors.New("web: return_to must be a path on this site (starting with a single /)")

// CheckReturnTo checks a return_to value, where the user goes after
// signing in or out: it must be a path on this site, with an optional
// query, such as "/calendars?week=2". It refuses absolute URLs
// ("https://evil.example", "javascript:..."), scheme-relative ones
// ("//evil.example"), backslashes anywhere ("/\evil.example", which
// browsers read as "//"), control characters and spaces, and anything
// that does not start with "/". It returns the value to redirect to,
// without its fragment: a relative reference that a browser resolves
// against the site's own origin.
func CheckReturnTo(raw string) (string, error) {
	if i := strings.IndexByte(raw, '#'); i >= 0 {
		raw = raw[:i]
	}
	if len(raw) == 0 || len(raw) > 2048 || raw[0] != '/' {
		return "", errReturnTo
	}
	if len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return "", errReturnTo
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= ' ' || c == '\\' || c >= 0x7f {
			return "", errReturnTo
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return "", errReturnTo
	}
	return raw, nil
}
