package main

import (
	"crypto/rand"
	"net/http"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/browsertest"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// startWithOAuth2Test runs the sample against an oauth2test server that
// shows its consent page (no AutoApprove), as `webapp --issuer URL
// --client-id webapp` with the secret in WEBAPP_CLIENT_SECRET, and its
// sample calendar API.
func startWithOAuth2Test(t *testing.T) (base string) {
	t.Helper()
	secret := rand.Text()
	srv := oauth2test.NewServer(&oauth2test.Options{
		Clients: []oauth2test.Client{{ID: "webapp", Secret: secret, AnyLoopbackRedirect: true}},
	})
	t.Cleanup(srv.Close)
	t.Setenv("WEBAPP_CLIENT_SECRET", secret)
	return startApp(t, "--issuer", srv.URL, "--client-id", "webapp", "--calendar-endpoint", srv.URL+"/calendar/v3/")
}

// TestBrowserOAuth2TestConsent: the sample in a real browser, through
// oauth2test's consent page.
//
// Allow: the calendars page, which needs sign-in, sends the browser to
// the consent page; Allow as bob brings it back to the calendars page,
// signed in, with bob's calendars from the sample API, and no code left
// in the address. The session cookie is HttpOnly and SameSite=Lax and
// holds no token; a second visit, and another tab of the same browser,
// are still signed in.
//
// Deny (another browser): the app's own error page, in words, with a
// 403, a way to sign in again, no stack trace and no code in the address.
func TestBrowserOAuth2TestConsent(t *testing.T) {
	base := startWithOAuth2Test(t)
	b := browsertest.Start(t)

	t.Run("allow", func(t *testing.T) {
		tab := b.NewTab(t)
		tab.Navigate(base + "/calendars")
		tab.WaitText("This is oauth2test")
		browsertest.ApproveOAuth2Test(tab, "bob")
		page := tab.WaitText("Your calendars")
		if got := tab.Status(); got != http.StatusOK {
			t.Errorf("calendars page status %d", got)
		}
		if got := tab.Text("#calendars"); got != "bob (bob@example.com, owner)" {
			t.Errorf("calendars = %q, want bob's", got)
		}
		if !strings.Contains(page, "signed in as bob@example.com") {
			t.Errorf("the page does not say who is signed in:\n%s", page)
		}
		if u := tab.URL(); u.String() != base+"/calendars" {
			t.Errorf("landed on %s, want %s/calendars", u.Redacted(), base)
		}
		wantSessionCookie(t, tab)

		// A second visit stays signed in, as does a second tab.
		tab.Navigate(base + "/")
		if got := tab.Text("#hello"); got != "Hello bob (bob@example.com)." {
			t.Errorf("home, second visit: %q", got)
		}
		second := b.NewTab(t)
		second.Navigate(base + "/calendars")
		if got := second.Text("#calendars"); got != "bob (bob@example.com, owner)" {
			t.Errorf("calendars in a second tab = %q", got)
		}
	})

	t.Run("deny", func(t *testing.T) {
		tab := b.NewIsolatedTab(t)
		tab.Navigate(base + "/calendars")
		tab.WaitText("This is oauth2test")
		browsertest.DenyOAuth2Test(tab)
		page := tab.WaitText("Sign-in problem")
		if got := tab.Status(); got != http.StatusForbidden {
			t.Errorf("error page status %d, want 403", got)
		}
		wantPlainError(t, page, "You did not allow this application to sign you in.")
		if got := tab.Text("#code"); got != "access_denied" {
			t.Errorf("error code %q", got)
		}
		if u := tab.URL(); u.Query().Has("code") || u.Query().Has("access_token") || u.Query().Has("id_token") {
			t.Errorf("the error page's address carries a credential: %s", u.Redacted())
		}
		if c := tab.Cookie("session"); c != nil {
			t.Errorf("a refused sign-in left a session cookie")
		}
		// Its link starts a new sign-in, back at the consent page.
		tab.Click("#sign-in")
		tab.WaitText("This is oauth2test")
	})
}

// wantSessionCookie checks the session cookie of tab's page: HttpOnly,
// SameSite=Lax, and no token in it (sealed, it holds only the user's key).
func wantSessionCookie(t *testing.T, tab *browsertest.Tab) {
	t.Helper()
	c := tab.Cookie("session")
	switch {
	case c == nil:
		t.Errorf("no session cookie; cookies: %v", names(tab.Cookies()))
	case !c.HttpOnly || c.SameSite != http.SameSiteLaxMode:
		t.Errorf("session cookie HttpOnly=%v SameSite=%v, want HttpOnly, SameSite=Lax", c.HttpOnly, c.SameSite)
	case strings.Count(c.Value, ".") == 2:
		t.Errorf("the session cookie looks like a JWT")
	}
}

// names returns the cookies' names.
func names(cs []*http.Cookie) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// wantPlainError checks that page says want, and shows no trace of the
// program's insides.
func wantPlainError(t *testing.T, page, want string) {
	t.Helper()
	if !strings.Contains(page, want) {
		t.Errorf("page does not say %q:\n%s", want, page)
	}
	for _, bad := range []string{"goroutine ", ".go:", "panic", "runtime.", "code=", "access_token"} {
		if strings.Contains(page, bad) {
			t.Errorf("page shows %q:\n%s", bad, page)
		}
	}
}

// TestBrowserAutoApprove: `webapp --auto-approve` (README's command) in a
// real browser: the home page's Sign in link goes through authorization
// and lands back on the home page signed in as alice; a second visit stays
// signed in; Sign out ends at the provider's end-session endpoint, which
// sends the browser back to the app, signed out, without the session
// cookie.
func TestBrowserAutoApprove(t *testing.T) {
	base := startApp(t, "--auto-approve")
	b := browsertest.Start(t)
	tab := b.NewTab(t)

	tab.Navigate(base + "/")
	tab.Click("#sign-in")
	tab.WaitText("Hello alice (alice@example.com).")
	if u := tab.URL(); u.String() != base+"/" {
		t.Errorf("landed on %s, want %s/", u.Redacted(), base)
	}
	wantSessionCookie(t, tab)
	tab.Navigate(base + "/")
	tab.WaitText("Hello alice")

	tab.Click("#sign-out")
	tab.WaitText("You are not signed in.")
	if u := tab.URL(); u.String() != base+"/" {
		t.Errorf("after sign-out the browser is on %s, want %s/", u.Redacted(), base)
	}
	if c := tab.Cookie("session"); c != nil {
		t.Errorf("the session cookie is still there after sign-out")
	}
}
