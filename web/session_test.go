package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// copyCookie gives to's jar the session cookie of from.
func (e *env) copyCookie(from, to *browser) {
	e.t.Helper()
	v := e.cookie(from, sessionName)
	if v == "" {
		e.t.Fatal("no session cookie to copy")
	}
	u, _ := url.Parse(e.url)
	to.jar.SetCookies(u, []*http.Cookie{{Name: sessionName, Value: v, Path: "/"}})
}

// signedInWithCopy returns an env, a browser signed in to it, and a
// browser holding a copy of its session cookie.
func signedInWithCopy(t *testing.T) (e *env, b, thief *browser) {
	e = newEnv(t, envOptions{})
	b, thief = newBrowser(), newBrowser()
	b.get(t, e.url+"/calendars")
	e.copyCookie(b, thief)
	return e, b, thief
}

// TestLogoutEndsCopiedSession signs in, copies the session cookie, signs
// out and in again: the copy (a stolen cookie) stays signed out.
func TestLogoutEndsCopiedSession(t *testing.T) {
	t.Parallel()
	e, b, thief := signedInWithCopy(t)
	e.checkHome(thief, true)
	b.logout(t, e.url)
	e.checkHome(thief, false)
	if status, _ := b.get(t, e.url+"/calendars"); status != http.StatusOK {
		t.Fatalf("signing in again: %d", status)
	}
	e.checkHome(b, true)
	e.checkHome(thief, false)
	// So does another replica sharing the store, whatever it remembers.
	e.newApp(nil)
	e.checkHome(thief, false)
	e.checkHome(b, true)
	// An old cookie does not sign the new session out either.
	if status, _, body := thief.post(t, e.url+"/logout"); status != http.StatusSeeOther {
		t.Fatalf("logout with the old cookie: %d %q", status, body)
	}
	e.checkHome(b, true)
}

// TestSignInKeepsOtherBrowsers checks that a sign-in in a second browser
// leaves the first signed in, that the live sign-ins are bounded, and
// that a sign-out in one ends them all.
func TestSignInKeepsOtherBrowsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	browsers := make([]*browser, maxSignIns+1)
	for i := range browsers {
		browsers[i] = newBrowser()
		if status, _ := browsers[i].get(t, e.url+"/calendars"); status != http.StatusOK {
			t.Fatalf("browser %d: %d", i, status)
		}
	}
	// The oldest sign-in beyond maxSignIns is forgotten; the others live.
	e.checkHome(browsers[0], false)
	for _, b := range browsers[1:] {
		e.checkHome(b, true)
	}
	st, err := e.store.Store.Load(context.Background(), UserKey(e.srv.URL, testClient, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(signInsFromState(st)); n != maxSignIns {
		t.Errorf("%d sign-ins stored, want %d", n, maxSignIns)
	}
	browsers[1].logout(t, e.url)
	for _, b := range browsers {
		e.checkHome(b, false)
	}
}

// gateStore holds the first Load after it is armed, once the entry is
// read, until released: a request that read the entry just before a
// sign-out.
type gateStore struct {
	*countingStore
	armed    atomic.Bool
	loaded   chan struct{}
	released chan struct{}
}

func (s *gateStore) Load(ctx context.Context, key string) (*oauth2client.CredentialsState, error) {
	st, err := s.countingStore.Load(ctx, key)
	if s.armed.CompareAndSwap(true, false) {
		close(s.loaded)
		<-s.released
	}
	return st, err
}

// TestSignOutRace has a request read the user's entry just before a
// sign-out deletes it, and put it in memory just after: the replica must
// not serve the deleted session from memory.
func TestSignOutRace(t *testing.T) {
	t.Parallel()
	e, b, thief := signedInWithCopy(t)
	gate := &gateStore{countingStore: e.store, loaded: make(chan struct{}), released: make(chan struct{})}
	e.newApp(func(c *Config) { c.Store = gate }) // a replica with nothing in memory
	gate.armed.Store(true)
	var wg sync.WaitGroup
	wg.Go(func() {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header.Set("Cookie", sessionName+"="+e.cookie(thief, sessionName))
		e.app.Aware(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), req)
	})
	<-gate.loaded
	b.logout(t, e.url)
	close(gate.released)
	wg.Wait()
	if e.app.cache.get(UserKey(e.srv.URL, testClient, "alice")) != nil {
		t.Errorf("the deleted entry is back in memory")
	}
	e.checkHome(thief, false)
}

// TestStateCookiesCapped starts 20 sign-ins in one browser without
// finishing them (a page polled while signed out): the state cookies stay
// within maxPendingSignIns, and the newest sign-ins still complete.
func TestStateCookiesCapped(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	var auth []string
	for range 20 {
		status, loc, _ := b.step(t, e.url+"/calendars", "Accept", "*/*")
		if status != http.StatusFound {
			t.Fatalf("GET /calendars: %d", status)
		}
		auth = append(auth, loc)
	}
	n := 0
	for _, c := range b.jar.Cookies(must(url.Parse(e.url))) {
		if len(c.Name) > len(statePrefix) && c.Name[:len(statePrefix)] == statePrefix {
			n++
		}
	}
	if n > maxPendingSignIns || n == 0 {
		t.Errorf("%d state cookies, want 1 to %d", n, maxPendingSignIns)
	}
	// The oldest sign-in was forgotten; the last one and one within the
	// cap complete.
	for _, c := range []struct {
		i      int
		status int
	}{{0, http.StatusBadRequest}, {19, http.StatusOK}, {20 - maxPendingSignIns + 1, http.StatusOK}} {
		status, cb, _ := b.step(t, auth[c.i])
		if status != http.StatusFound {
			t.Fatalf("authorization %d: %d", c.i, status)
		}
		if status, body := b.get(t, cb); status != c.status {
			t.Errorf("sign-in %d: %d %q, want %d", c.i, status, body, c.status)
		}
	}
}

// TestRequiredFetch checks that a request that is not a navigation
// (fetch, an image) gets 401 and sets no cookie, even with Accept: */*.
func TestRequiredFetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, mode := range []string{"cors", "no-cors", "same-origin"} {
		req, _ := http.NewRequest(http.MethodGet, e.url+"/calendars", nil)
		req.Header.Set("Accept", "*/*")
		req.Header.Set("Sec-Fetch-Mode", mode)
		resp, err := newBrowser().noFollow().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(resp)
		if resp.StatusCode != http.StatusUnauthorized || len(resp.Cookies()) != 0 {
			t.Errorf("Sec-Fetch-Mode %s: %d %q, cookies %v; want 401 and none", mode, resp.StatusCode, body, resp.Header["Set-Cookie"])
		}
	}
	// A navigation still starts the sign-in.
	status, _, _ := newBrowser().step(t, e.url+"/calendars", "Sec-Fetch-Mode", "navigate")
	if status != http.StatusFound {
		t.Errorf("navigation: %d, want 302", status)
	}
}
