package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
)

func TestSignIn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	status, body := b.get(t, e.url+"/calendars")
	if status != http.StatusOK || !strings.Contains(body, "calendars of alice (alice@example.com): api 200") {
		t.Fatalf("first visit: %d %q", status, body)
	}
	if !strings.Contains(body, scopeCal) || !strings.Contains(body, "openid") {
		t.Errorf("scopes: %q", body)
	}
	// A second visit with the cookie stays signed in: no authorization.
	codes := e.srv.TokenRequests("authorization_code")
	status, body = b.get(t, e.url+"/calendars")
	if status != http.StatusOK || e.srv.TokenRequests("authorization_code") != codes {
		t.Fatalf("second visit: %d %q, %d exchanges", status, body, e.srv.TokenRequests("authorization_code")-codes)
	}
	e.checkHome(b, true)
	keys := e.keysOf()
	if want := UserKey(e.srv.URL, testClient, "alice"); len(keys) != 1 || keys[0] != want {
		t.Errorf("stored keys %q, want [%s]", keys, want)
	}
	e.checkNoSecrets(b)
}

func TestSessionCookie(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	cb := e.startSignIn(b, "/calendars")
	resp, err := b.noFollow().Get(cb)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionName {
			session = c
		}
	}
	switch {
	case session == nil:
		t.Fatalf("no session cookie set by the callback: %v", resp.Header["Set-Cookie"])
	case !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" || session.Domain != "":
		t.Errorf("session cookie %v: want HttpOnly, SameSite=Lax, Path=/, no Domain", session)
	case session.Secure:
		t.Errorf("session cookie %v is Secure on plain-http loopback", session)
	case strings.Contains(session.Value, "alice"):
		t.Errorf("session cookie is not sealed: %q", session.Value)
	}
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != "/calendars" {
		t.Errorf("callback: %d to %q", resp.StatusCode, loc)
	}

	// On https the cookies are Secure and __Host- prefixed.
	app, err := New(Config{
		BaseURL:    "https://app.example",
		Flow:       e.app.cfg.Flow,
		Store:      e.store,
		CookieKeys: e.keys,
	})
	if err != nil {
		t.Fatal(err)
	}
	rec := newRecorder()
	app.startSession(rec, "k", "0123456789abcdef")
	c := rec.Result().Cookies()[0]
	if c.Name != "__Host-session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Errorf("https session cookie %v", c)
	}
	r, _ := http.NewRequest("GET", "https://app.example/", nil)
	r.AddCookie(c)
	if key, id := app.session(r); key != "k" || id != "0123456789abcdef" {
		t.Errorf("session read back %q, %q", key, id)
	}
}

func TestNoFixation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	b.get(t, e.url+"/calendars")
	first := e.cookie(b, sessionName)
	// Planting a cookie (or keeping the old one) does not survive a sign-in.
	b.logout(t, e.url)
	u, _ := url.Parse(e.url)
	b.jar.SetCookies(u, []*http.Cookie{{Name: sessionName, Value: first, Path: "/"}})
	if status, _ := b.get(t, e.url+e.app.cfg.LoginPath); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	if second := e.cookie(b, sessionName); second == "" || second == first {
		t.Errorf("the session cookie did not change at sign-in")
	}
}

func TestRequiredJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	for _, h := range [][]string{{"Accept", "application/json"}, {"X-Requested-With", "XMLHttpRequest"}} {
		b := newBrowser()
		status, loc, body := b.step(t, e.url+"/calendars?week=2", h...)
		if status != http.StatusUnauthorized || loc != "" {
			t.Fatalf("%s: %d to %q, want 401", h[0], status, loc)
		}
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil {
			t.Fatalf("body %q: %v", body, err)
		}
		want := "/login?" + url.Values{"return_to": {"/calendars?week=2"}, "scope": {scopeCal}}.Encode()
		if got["error"] != "authorization_required" || got["authorization_url"] != want {
			t.Errorf("body %v, want authorization_url %s", got, want)
		}
		// The URL works in a browser and lands back on the page.
		if status, body := b.get(t, e.url+got["authorization_url"]); status != http.StatusOK || !strings.HasPrefix(body, "calendars of alice") {
			t.Errorf("following authorization_url: %d %q", status, body)
		}
	}
}

func TestAware(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	status, loc, body := b.step(t, e.url+"/")
	if status != http.StatusOK || loc != "" || body != "home: signed out; sign in at /login" {
		t.Fatalf("Aware signed out: %d %q %q", status, loc, body)
	}
}

func TestIncrementalKeepsFirstScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	if status, _ := b.get(t, e.url+"/calendars"); status != http.StatusOK {
		t.Fatal(status)
	}
	// The second page asks for the granted scopes too, with include_granted_scopes.
	status, loc, _ := b.step(t, e.url+"/contacts")
	if status != http.StatusFound {
		t.Fatalf("contacts: %d", status)
	}
	au, _ := url.Parse(loc)
	q := au.Query()
	scopes := strings.Fields(q.Get("scope"))
	if !slices.Contains(scopes, scopeCal) || !slices.Contains(scopes, scopeContact) || q.Get("include_granted_scopes") != "true" {
		t.Errorf("incremental authorization asks %q, include_granted_scopes=%q", scopes, q.Get("include_granted_scopes"))
	}
	if status, body := b.get(t, loc); status != http.StatusOK || !strings.HasPrefix(body, "contacts of alice") {
		t.Fatalf("contacts after consent: %d %q", status, body)
	}
	codes := e.srv.TokenRequests("authorization_code")
	status, body := b.get(t, e.url+"/calendars")
	if status != http.StatusOK || e.srv.TokenRequests("authorization_code") != codes || !strings.Contains(body, scopeContact) {
		t.Errorf("calendars after incremental authorization: %d %q", status, body)
	}
	st, err := e.store.Store.Load(context.Background(), UserKey(e.srv.URL, testClient, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	if got := st.EffectiveScopes(); !slices.Contains(got, scopeCal) || !slices.Contains(got, scopeContact) {
		t.Errorf("stored scopes %q", got)
	}
}

// TestMergeScopes has a second browser sign in with the default scopes
// only, a narrower grant than the one stored. A token response that
// lists its scopes is the grant (RFC 6749 §5.1: a partial consent or a
// revocation narrows it); one that omits them granted what was asked,
// with include_granted_scopes, so the scopes granted before are kept.
func TestMergeScopes(t *testing.T) {
	t.Parallel()
	for _, omit := range []bool{false, true} {
		t.Run(map[bool]string{false: "scope listed", true: "scope omitted"}[omit], func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, envOptions{})
			ep, err := oauth2client.Discover(context.Background(), e.srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			ep.TokenURL = tokenProxy(t, ep.TokenURL, omit)
			e.newApp(func(c *Config) { c.Issuer, c.Flow.Endpoint = "", *ep })
			newBrowser().get(t, e.url+"/calendars")
			key := UserKey(e.srv.URL, testClient, "alice")
			before, _ := e.store.Store.Load(context.Background(), key)
			if !slices.Contains(before.EffectiveScopes(), scopeCal) {
				t.Fatalf("first grant %q", before.EffectiveScopes())
			}
			b := newBrowser()
			status, loc, _ := b.step(t, e.url+"/login")
			if au, _ := url.Parse(loc); status != http.StatusFound || strings.Contains(au.Query().Get("scope"), scopeCal) {
				t.Fatalf("login: %d to %q", status, loc)
			}
			if status, _ := b.get(t, loc); status != http.StatusOK {
				t.Fatal(status)
			}
			after, _ := e.store.Store.Load(context.Background(), key)
			if got := slices.Contains(after.EffectiveScopes(), scopeCal); got != omit {
				t.Errorf("stored scopes %q after a grant of the default scopes: has %s = %v, want %v", after.EffectiveScopes(), scopeCal, got, omit)
			}
			if after.Token.AccessToken == before.Token.AccessToken || after.Token.RefreshToken == "" {
				t.Errorf("the new token was not stored with a refresh token")
			}
		})
	}
}

// tokenProxy returns the URL of a token endpoint forwarding to target,
// which drops the "scope" of the responses when omit is set.
func tokenProxy(t *testing.T, target string, omit bool) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, target, r.Body)
		req.Header = r.Header.Clone()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var body map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if omit {
			delete(body, "scope")
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(resp.StatusCode)
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestParallelSignIns(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	b := newBrowser()
	cb1 := e.startSignIn(b, "/calendars")
	cb2 := e.startSignIn(b, "/contacts")
	if status, body := b.get(t, cb2); status != http.StatusOK || !strings.HasPrefix(body, "contacts of alice") {
		t.Fatalf("second tab: %d %q", status, body)
	}
	if status, body := b.get(t, cb1); status != http.StatusOK || !strings.HasPrefix(body, "calendars of alice") {
		t.Fatalf("first tab: %d %q", status, body)
	}
	// Both grants are kept.
	if status, body := b.get(t, e.url+"/contacts"); status != http.StatusOK || !strings.Contains(body, scopeCal) {
		t.Errorf("after both: %d %q", status, body)
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	for _, revoke := range []bool{false, true} {
		e := newEnv(t, envOptions{config: func(c *Config) { c.RevokeOnLogout = revoke }})
		b := newBrowser()
		b.get(t, e.url+"/calendars")
		st, _ := e.store.Store.Load(context.Background(), UserKey(e.srv.URL, testClient, "alice"))
		status, loc, _ := b.post(t, e.url+"/logout")
		if status != http.StatusSeeOther || !strings.HasPrefix(loc, e.srv.URL+"/logout?") || strings.Contains(loc, st.Token.IDToken) {
			t.Errorf("logout: %d to %q, want the end_session_endpoint without a token", status, loc)
		}
		if e.cookie(b, sessionName) != "" {
			t.Errorf("session cookie kept")
		}
		if keys := e.keysOf(); len(keys) != 0 {
			t.Errorf("stored entries kept: %q", keys)
		}
		if got := e.srv.Requests("/revoke"); (got == 1) != revoke {
			t.Errorf("revoke=%v: %d revocations", revoke, got)
		}
		if status, _, _ := b.step(t, e.url+"/calendars"); status != http.StatusFound {
			t.Errorf("after logout: %d, want a redirect to sign in", status)
		}
		e.checkNoSecrets(b, st.Token.AccessToken, st.Token.RefreshToken)
	}
}

func TestLogoutWithoutEndSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	cfg := e.config()
	cfg.Issuer = ""
	ep := e.app.endpoint
	ep.EndSessionURL = ""
	cfg.Flow.Endpoint = ep
	app, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.serve(app)
	b := newBrowser()
	b.get(t, e.url+"/calendars")
	if status, loc, _ := b.post(t, e.url+"/logout?return_to=/bye"); status != http.StatusSeeOther || loc != e.url+"/bye" {
		t.Errorf("logout: %d to %q", status, loc)
	}
}

func TestErrorHandler(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	var got *Error
	e.newApp(func(c *Config) {
		c.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err *Error) {
			got = err
			http.Error(w, "custom: "+err.Code, err.Status)
		}
	})
	status, body := newBrowser().get(t, e.url+"/login?return_to=//evil.example")
	if status != http.StatusBadRequest || body != "custom: invalid_return_to\n" || got == nil || got.SignInURL != "/login" {
		t.Errorf("%d %q %+v", status, body, got)
	}
}
