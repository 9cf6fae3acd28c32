package main

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// recorder keeps the Set-Cookie headers of every response.
type recorder struct {
	mu      sync.Mutex
	cookies []*http.Cookie
}

func (rec *recorder) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil {
		rec.mu.Lock()
		rec.cookies = append(rec.cookies, resp.Cookies()...)
		rec.mu.Unlock()
	}
	return resp, err
}

// TestAutoApprove runs the sample as `webapp --auto-approve` does and goes
// through it with a cookie jar: sign in, calendars, a second scope, sign out.
func TestAutoApprove(t *testing.T) {
	base := startApp(t, "--auto-approve")

	jar, _ := cookiejar.New(nil)
	rec := &recorder{}
	c := &http.Client{Jar: jar, Transport: rec}
	get := func(path string) string {
		t.Helper()
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d\n%s", path, resp.StatusCode, b)
		}
		return string(b)
	}

	if body := get("/"); !strings.Contains(body, `id="sign-in"`) {
		t.Fatalf("home, signed out:\n%s", body)
	}
	body := get("/calendars")
	if !strings.Contains(body, `<ul id="calendars"><li>alice (alice@example.com, owner)</li>`) {
		t.Fatalf("calendars:\n%s", body)
	}
	var session *http.Cookie
	for _, ck := range rec.cookies {
		if ck.Name == "session" && ck.Value != "" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Errorf("session cookie %v: want HttpOnly, SameSite=Lax", session)
	}
	// A second visit stays signed in.
	if body := get("/"); !strings.Contains(body, `<p id="hello">Hello alice (alice@example.com).</p>`) {
		t.Errorf("home, signed in:\n%s", body)
	}
	// Incremental authorization keeps the first scope.
	body = get("/events")
	for _, s := range []string{scopeCalendars, scopeEvents} {
		if !strings.Contains(body, "<li>"+s+"</li>") {
			t.Errorf("events page lacks %s:\n%s", s, body)
		}
	}
	resp, err := c.PostForm(base+"/logout", url.Values{})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if body := get("/"); !strings.Contains(body, `id="sign-in"`) {
		t.Errorf("home after sign-out:\n%s", body)
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--auto-approve", "--issuer", "https://issuer.example"},
		{"--issuer", "https://issuer.example"},
		{"--auto-approve", "extra"},
	} {
		if err := run(context.Background(), args, io.Discard, nil); err == nil {
			t.Errorf("%q: no error", args)
		}
	}
}
