package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// checkErrorPage fails unless status and body are the app's error page
// with code, and never a 500 or a stack trace.
func checkErrorPage(t *testing.T, status int, body string, wantStatus int, code string) {
	t.Helper()
	if status >= 500 && status != http.StatusBadGateway && status != http.StatusServiceUnavailable {
		t.Errorf("status %d", status)
	}
	if strings.Contains(body, "goroutine") || strings.Contains(body, "panic") {
		t.Errorf("a stack trace in the page:\n%s", body)
	}
	if status != wantStatus || !strings.Contains(body, `<code id="code">`+code+`</code>`) || !strings.Contains(body, `id="sign-in"`) {
		t.Errorf("got %d:\n%s\nwant %d and the error page with code %s", status, body, wantStatus, code)
	}
}

// codeOf returns the code parameter of a callback URL.
func codeOf(cb string) string {
	u, _ := url.Parse(cb)
	return u.Query().Get("code")
}

func TestStateFromAnotherBrowser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	victim, attacker := newBrowser(), newBrowser()
	cb := e.startSignIn(attacker, "/calendars")
	// The attacker makes the victim's browser open the attacker's callback
	// (login CSRF): it has no cookie for that state.
	status, body := victim.get(t, cb)
	checkErrorPage(t, status, body, http.StatusBadRequest, "invalid_state")
	if e.cookie(victim, sessionName) != "" || len(e.keysOf()) != 0 {
		t.Errorf("the victim was signed in")
	}
	// The victim's own state does not help with the attacker's code either.
	mine := e.startSignIn(victim, "/calendars")
	u, _ := url.Parse(cb)
	q := u.Query()
	q.Set("state", must(url.Parse(mine)).Query().Get("state"))
	u.RawQuery = q.Encode()
	// (the code is bound to the attacker's PKCE challenge).
	status, body = victim.get(t, u.String())
	checkErrorPage(t, status, body, http.StatusBadGateway, "sign_in_failed")
	if status == http.StatusOK {
		t.Errorf("a callback mixing states signed in: %s", body)
	}
	e.checkNoSecrets(victim, codeOf(cb), codeOf(mine))
}

func TestReplayedCallback(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	cb := e.startSignIn(b, "/calendars")
	if status, _ := b.get(t, cb); status != http.StatusOK {
		t.Fatal(status)
	}
	status, body := b.get(t, cb)
	checkErrorPage(t, status, body, http.StatusBadRequest, "invalid_state")
	e.checkNoSecrets(b, codeOf(cb))
}

func TestStateCookieMissingOrTampered(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		change func(string) string // the state cookie's new value; "" deletes it
	}{
		{"missing", func(string) string { return "" }},
		{"tampered", func(v string) string {
			b := []byte(v)
			b[len(b)/2] ^= 1
			if b[len(b)/2] == '-' || b[len(b)/2] == '_' {
				b[len(b)/2] = 'A'
			}
			return string(b)
		}},
		{"truncated", func(v string) string { return v[:20] }},
		{"garbage", func(string) string { return "not base64 !" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{})
			b := newBrowser()
			cb := e.startSignIn(b, "/calendars")
			name := stateCookieName(must(url.Parse(cb)).Query().Get("state"))
			u, _ := url.Parse(e.url)
			v := tc.change(e.cookie(b, name))
			c := &http.Cookie{Name: name, Value: v, Path: "/"}
			if v == "" {
				c.MaxAge = -1
			}
			b.jar.SetCookies(u, []*http.Cookie{c})
			status, body := b.get(t, cb)
			checkErrorPage(t, status, body, http.StatusBadRequest, "invalid_state")
			e.checkNoSecrets(b, codeOf(cb))
		})
	}
}

func TestAccessDenied(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{serverOpts: &oauth2test.Options{}})
	b := newBrowser()
	status, loc, _ := b.step(t, e.url+"/calendars")
	if status != http.StatusFound {
		t.Fatal(status)
	}
	_, page := b.get(t, loc)
	m := regexp.MustCompile(`name="request" value="([^"]+)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no consent form:\n%s", page)
	}
	resp, err := b.client.PostForm(e.srv.URL+oauth2test.PathAuthorize, url.Values{"request": {m[1]}, "action": {"deny"}})
	if err != nil {
		t.Fatal(err)
	}
	body := readBody(resp)
	checkErrorPage(t, resp.StatusCode, body, http.StatusForbidden, "access_denied")
	if !strings.Contains(body, "You did not allow") {
		t.Errorf("page: %s", body)
	}
	e.checkNoSecrets(b)
}

func TestCodeRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	cb := e.startSignIn(b, "/calendars")
	e.srv.InjectFault(oauth2test.Fault{Path: oauth2test.PathToken, Error: "invalid_grant", Count: 1})
	status, body := b.get(t, cb)
	checkErrorPage(t, status, body, http.StatusBadGateway, "sign_in_failed")
	if len(e.keysOf()) != 0 || e.cookie(b, sessionName) != "" {
		t.Errorf("signed in after a refused code")
	}
	e.checkNoSecrets(b, codeOf(cb))
	// Signing in again works.
	if status, _ := b.get(t, e.url+"/calendars"); status != http.StatusOK {
		t.Errorf("second try: %d", status)
	}
}

func TestIDTokenForAnotherAudience(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	e.newApp(func(c *Config) {
		ep, err := oauth2client.Discover(context.Background(), e.srv.URL, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The tokens are issued to testClient; this app expects another
		// client's ID tokens.
		v, err := idtoken.New(&idtoken.Options{Issuer: ep.Issuer, Audiences: []string{"another-client"}, JWKSURL: ep.JWKSURL})
		if err != nil {
			t.Fatal(err)
		}
		c.Flow.IDTokenVerifier = v
	})
	b := newBrowser()
	cb := e.startSignIn(b, "/calendars")
	status, body := b.get(t, cb)
	checkErrorPage(t, status, body, http.StatusBadGateway, "sign_in_failed")
	if len(e.keysOf()) != 0 || e.cookie(b, sessionName) != "" {
		t.Errorf("signed in with an ID token for another audience")
	}
	e.checkNoSecrets(b, codeOf(cb))
	if logs := e.logs.String(); !strings.Contains(logs, "aud") {
		t.Errorf("the log does not say why: %s", logs)
	}
}

func TestReturnToRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, rt := range []string{"//evil.example", "https://evil.example", `/\evil.example`, "javascript:alert(1)"} {
		for _, path := range []string{"/login", "/logout"} {
			b := newBrowser()
			status, loc, body := b.step(t, e.url+path+"?"+url.Values{"return_to": {rt}}.Encode())
			if loc != "" {
				t.Errorf("%s?return_to=%s: redirected to %q", path, rt, loc)
			}
			checkErrorPage(t, status, body, http.StatusBadRequest, "invalid_return_to")
			if strings.Contains(body, "evil") || strings.Contains(body, "javascript") {
				t.Errorf("the page repeats the return_to:\n%s", body)
			}
		}
	}
	// An accepted one is followed after sign-in.
	b := newBrowser()
	if status, body := b.get(t, e.url+"/login?return_to=%2Fcalendars%3Fweek%3D2"); status != http.StatusOK || !strings.HasPrefix(body, "calendars of alice") {
		t.Errorf("return_to=/calendars?week=2: %d %q", status, body)
	}
}

func TestRetiredCookieKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	b.get(t, e.url+"/calendars")
	old := e.keys[0]
	// Rotation: a new key first, the old one still opens.
	rotated := e.newApp(func(c *Config) { c.CookieKeys = [][]byte{NewCookieKey(), old} })
	if status, loc, _ := b.step(t, e.url+"/calendars"); status != http.StatusOK {
		t.Fatalf("with the old key second: %d to %q", status, loc)
	}
	_ = rotated
	// Retired: the old key removed, the session is no longer accepted and
	// the user is sent to sign in again.
	e.newApp(func(c *Config) { c.CookieKeys = [][]byte{NewCookieKey()} })
	status, loc, _ := b.step(t, e.url+"/calendars")
	if status != http.StatusFound || !strings.HasPrefix(loc, e.srv.URL+oauth2test.PathAuthorize) {
		t.Errorf("with the old key retired: %d to %q, want a redirect to sign in", status, loc)
	}
	e.checkHome(b, false)
}

func TestStoreFails(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	// At sign-in: the credentials cannot be saved.
	cb := e.startSignIn(b, "/calendars")
	e.store.failing.Store(true)
	status, body := b.get(t, cb)
	checkErrorPage(t, status, body, http.StatusServiceUnavailable, "store_unavailable")
	if e.cookie(b, sessionName) != "" {
		t.Errorf("a session without stored credentials")
	}
	// With a session whose credentials are not in memory (another replica).
	e.store.failing.Store(false)
	b.get(t, e.url+"/calendars")
	e.newApp(nil)
	e.store.failing.Store(true)
	for _, page := range []string{"/calendars", "/"} {
		status, body = b.get(t, e.url+page)
		checkErrorPage(t, status, body, http.StatusServiceUnavailable, "store_unavailable")
	}
	status, body = b.get(t, e.url+"/calendars", "Accept", "application/json")
	if status != http.StatusServiceUnavailable || !strings.Contains(body, `"error":"store_unavailable"`) {
		t.Errorf("JSON: %d %s", status, body)
	}
	if logs := e.logs.String(); !strings.Contains(logs, errStoreDown.Error()) {
		t.Errorf("the log does not say why: %s", logs)
	}
	e.store.failing.Store(false)
	e.checkNoSecrets(b, codeOf(cb))
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func readBody(resp *http.Response) string {
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestScopeNotGranted has the user grant less than the page needs (as with
// Google's granular consent): an error page naming the scope, not a loop.
func TestScopeNotGranted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	// The authorization endpoint, as the user leaves: without the contacts scope.
	narrow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var kept []string
		for _, s := range strings.Fields(q.Get("scope")) {
			if s != scopeContact {
				kept = append(kept, s)
			}
		}
		q.Set("scope", strings.Join(kept, " "))
		http.Redirect(w, r, e.srv.URL+oauth2test.PathAuthorize+"?"+q.Encode(), http.StatusFound)
	}))
	defer narrow.Close()
	ep, err := oauth2client.Discover(context.Background(), e.srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	ep.AuthURL = narrow.URL
	e.newApp(func(c *Config) { c.Issuer, c.Flow.Endpoint = "", *ep })
	b := newBrowser()
	status, body := b.get(t, e.url+"/contacts")
	checkErrorPage(t, status, body, http.StatusForbidden, "scope_not_granted")
	if !strings.Contains(body, scopeContact) {
		t.Errorf("the page does not name the scope:\n%s", body)
	}
	// Signed in all the same.
	e.checkHome(b, true)
}

// TestLogoutCrossSite checks that only a POST from the site's own pages
// signs out: not a link or form of another site, nor of a sibling
// subdomain (same-site), nor an older browser's form from elsewhere.
func TestLogoutCrossSite(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	b.get(t, e.url+"/calendars")
	// A GET (a link, an <img>) shows a button and signs no one out.
	status, body := b.get(t, e.url+"/logout", "Sec-Fetch-Site", "cross-site")
	if status != http.StatusOK || !strings.Contains(body, `<form method="post" action="/logout">`) {
		t.Errorf("GET /logout: %d %q, want the page with the sign-out button", status, body)
	}
	for _, h := range [][]string{
		{"Sec-Fetch-Site", "cross-site"},
		{"Sec-Fetch-Site", "same-site"},
		{"Sec-Fetch-Site", "none"},
		{"Sec-Fetch-Site", "", "Origin", "https://evil.example"},
		{"Sec-Fetch-Site", "", "Origin", "null"},
		{"Sec-Fetch-Site", "", "Origin", "http://sub." + strings.TrimPrefix(e.url, "http://")},
		{"Sec-Fetch-Site", "", "Referer", "https://evil.example/page"},
	} {
		status, _, body := b.post(t, e.url+"/logout", h...)
		checkErrorPage(t, status, body, http.StatusForbidden, "cross_site")
	}
	req, _ := http.NewRequest(http.MethodPut, e.url+"/logout", nil)
	resp, err := b.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	checkErrorPage(t, resp.StatusCode, readBody(resp), http.StatusMethodNotAllowed, "method_not_allowed")
	if e.cookie(b, sessionName) == "" || len(e.keysOf()) != 1 {
		t.Fatalf("signed out by another site")
	}
	e.checkHome(b, true)
	// An older browser's form on the site itself.
	if status, _, body := b.post(t, e.url+"/logout", "Sec-Fetch-Site", "", "Origin", e.url); status != http.StatusSeeOther {
		t.Fatalf("same-origin POST without Sec-Fetch-Site: %d %q", status, body)
	}
	e.checkHome(b, false)
}
