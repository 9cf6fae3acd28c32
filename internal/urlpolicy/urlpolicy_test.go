package urlpolicy

import (
	"errors"
	"net/url"
	"testing"
)

func TestIsLoopbackHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"localhost": true, "LocalHost": true, "127.0.0.1": true, "127.8.9.10": true,
		"::1": true, "[::1]": true, "0.0.0.0": false, "example.com": false,
		"localhost.example.com": false, "128.0.0.1": false, "": false, "::": false,
	} {
		if got := IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}

func TestIsLoopbackAddr(t *testing.T) {
	t.Parallel()
	for addr, want := range map[string]bool{
		"127.0.0.1:80": true, "[::1]:0": true, "localhost:8080": true,
		"0.0.0.0:80": false, ":80": false, "127.0.0.1": false, "example.com:443": false,
	} {
		if got := IsLoopbackAddr(addr); got != want {
			t.Errorf("IsLoopbackAddr(%q) = %v, want %v", addr, got, want)
		}
	}
}

func TestCheckEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw      string
		ok       bool
		insecure bool
	}{
		{"https://example.com/token", true, false},
		{"HTTPS://example.com/token", true, false},
		{"http://127.0.0.1:8080/token", true, false},
		{"http://localhost/token", true, false},
		{"http://[::1]:9/token", true, false},
		{"http://example.com/token", false, true},
		{"http://127.0.0.1.example.com/token", false, true},
		{"http://127.0.0.1:80@evil.example/", false, false}, // user info
		{"https://example.com/token#frag", false, false},
		{"https://example.com/token#", false, false},
		{"/token", false, false},
		{"ftp://example.com/", false, false},
		{"://", false, false},
	}
	for _, tt := range tests {
		err := CheckEndpoint(tt.raw)
		if (err == nil) != tt.ok {
			t.Errorf("CheckEndpoint(%q) = %v, want ok=%v", tt.raw, err, tt.ok)
		}
		if got := errors.Is(err, ErrInsecure); got != tt.insecure {
			t.Errorf("CheckEndpoint(%q) = %v, want insecure=%v", tt.raw, err, tt.insecure)
		}
	}
}

func TestSecure(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"https://api.example.com/x": true, "http://127.0.0.1/x": true,
		"http://api.example.com/x": false, "ws://127.0.0.1/": false,
	} {
		u, _ := url.Parse(raw)
		if got := Secure(u); got != want {
			t.Errorf("Secure(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestIsLoopbackRedirect(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"http://127.0.0.1/":                 true,
		"http://127.0.0.1:8080/cb":          true,
		"http://localhost:1/":               true,
		"http://[::1]:1/":                   true,
		"https://127.0.0.1/":                false,
		"http://127.0.0.1:80@evil.example/": false,
		"http://evil.example/":              false,
		"http://127.0.0.1/#x":               false,
		"http:127.0.0.1":                    false,
	} {
		if got := IsLoopbackRedirect(raw); got != want {
			t.Errorf("IsLoopbackRedirect(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"longer text", 6, "longer…"},
		{"héllo", 2, "h…"}, // does not cut the two-byte é
	} {
		if got := Clip(tt.s, tt.n); got != tt.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	if got := RedactURL("postgres://u:secret@h/db"); got != "postgres://u:xxxxx@h/db" {
		t.Errorf("RedactURL = %q", got)
	}
	u, _ := url.Parse("https://user:pw@api.example/v1?key=secret#f")
	if got := RedactQuery(u); got != "https://api.example/v1?...#f" {
		t.Errorf("RedactQuery = %q", got)
	}
	err := &url.Error{Op: "Post", URL: "https://h/token?key=secret", Err: errors.New("boom")}
	if got := RedactURLError(err).Error(); got != "post request: boom" {
		t.Errorf("RedactURLError = %q", got)
	}
}

func TestIsMetadataHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"169.254.169.254": true, "metadata.google.internal": true, "metadata": true,
		"METADATA.google.internal.": true, "127.0.0.1": true, "[fd00:ec2::254]": true, "fe80::1": true,
		"10.0.0.1": false, "metadata.example.com": false, "example.com": false, "169.255.0.1": false,
	} {
		if got := IsMetadataHost(host); got != want {
			t.Errorf("IsMetadataHost(%q) = %v, want %v", host, got, want)
		}
	}
}
