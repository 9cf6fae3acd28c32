package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/syncbuf"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// loginRun is a login command running in-process.
type loginRun struct {
	lines chan string    // stderr, line by line
	done  chan int       // the exit code
	err   syncbuf.Buffer // all of stderr
}

// startLogin runs login with args in-process; its stderr arrives line by
// line on the lines channel.
func startLogin(t *testing.T, args ...string) *loginRun {
	t.Helper()
	pr, pw := io.Pipe()
	l := &loginRun{lines: make(chan string, 100), done: make(chan int, 1)}
	go func() {
		code := run(t.Context(), append([]string{"login"}, args...), strings.NewReader(""), io.Discard, io.MultiWriter(pw, &l.err))
		pw.Close()
		l.done <- code
	}()
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case l.lines <- sc.Text():
			default: // nobody reads any more
			}
		}
		close(l.lines)
	}()
	return l
}

// waitLine returns the first line of stderr that match accepts.
func (l *loginRun) waitLine(t *testing.T, match func(string) bool) string {
	t.Helper()
	for line := range l.lines {
		if match(line) {
			return line
		}
	}
	t.Fatalf("login ended without the expected line; stderr:\n%s", l.err.String())
	return ""
}

// wait waits for login to end and fails the test unless it succeeded.
func (l *loginRun) wait(t *testing.T) string {
	t.Helper()
	if code := <-l.done; code != 0 {
		t.Fatalf("login: exit %d, stderr:\n%s", code, l.err.String())
	}
	return l.err.String()
}

// isURLLine reports whether line is an http(s) URL on its own.
func isURLLine(line string) bool {
	return (strings.HasPrefix(line, "http://") || strings.HasPrefix(line, "https://")) && !strings.ContainsAny(line, " \t")
}

// curl fetches u following redirects, as curl -sL does, and returns the
// final status.
func curl(t *testing.T, u string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("fetching the authorization URL: %v", err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode
}

// loginNoBrowser runs login --no-browser with flags, fetches the printed
// URL as curl -sL would, and waits for login to end.
func loginNoBrowser(t *testing.T, flags []string) string {
	t.Helper()
	l := startLogin(t, append([]string{"--no-browser"}, flags...)...)
	authURL := l.waitLine(t, isURLLine)
	if status := curl(t, authURL); status != http.StatusOK {
		t.Errorf("the redirect page answered HTTP %d", status)
	}
	return l.wait(t)
}

func TestIsLoopbackRedirect(t *testing.T) {
	tests := []struct {
		uri  string
		want bool
	}{
		{"http://127.0.0.1", true},
		{"http://127.0.0.1/callback", true},
		{"http://127.0.0.1:8080/cb", true},
		{"http://localhost:9/", true},
		{"http://[::1]:8080/cb", true},
		{"https://127.0.0.1/cb", false},
		{"http://localhost.example/cb", false},
		{"http://127.0.0.1:80@evil.example/cb", false},
		{"http://127.0.0.1:8080@evil.example:8080/cb", false},
		{"http://127.0.0.1#@evil.example/", false},
		{"urn:ietf:wg:oauth:2.0:oob", false},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			if got := urlpolicy.IsLoopbackRedirect(tt.uri); got != tt.want {
				t.Errorf("urlpolicy.IsLoopbackRedirect(%q) = %v, want %v", tt.uri, got, tt.want)
			}
		})
	}
}

// TestLoginWaitTimeoutMessage: a login that waited in vain says what it
// waited for and which flag changes how long.
func TestLoginWaitTimeoutMessage(t *testing.T) {
	tc := newTestServer(t, nil)
	l := startLogin(t, "--no-browser", "--client-secrets", tc.cs, "--scope", "openid",
		"--store", "file:"+filepath.Join(t.TempDir(), "c.json"), "--wait-timeout", "1ms")
	if code := <-l.done; code != exitFailure {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFailure, l.err.String())
	}
	msg := l.err.String()
	for _, want := range []string{"waiting for the browser's redirect", "--wait-timeout"} {
		if !strings.Contains(msg, want) {
			t.Errorf("stderr lacks %q:\n%s", want, msg)
		}
	}
}
