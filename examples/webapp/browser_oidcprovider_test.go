package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/browsertest"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// startWithOIDCProvider runs the sample against the npm oidc-provider, as
// `webapp --issuer ISSUER --client-id conf-post --callback-path /callback`
// with the secret in WEBAPP_CLIENT_SECRET, its calendar API a stand-in
// that checks the provider's tokens by introspection
// ([newCalendarStandIn]). The client is one of the provider's
// confidential clients, registered as a native application so that its
// redirect URI http://127.0.0.1/callback takes the app's port (RFC 8252
// §7.3); the provider therefore asks for consent at every sign-in.
func startWithOIDCProvider(t *testing.T) (base string, p *oidcprovidertest.Provider) {
	t.Helper()
	p = oidcprovidertest.Start(t)
	ep := p.Endpoint(t)
	cal := newCalendarStandIn(t, ep.IntrospectionURL, p.Post)
	t.Setenv("WEBAPP_CLIENT_SECRET", p.Post.Secret)
	base = startApp(t, "--issuer", p.Issuer, "--client-id", p.Post.ID,
		"--callback-path", "/callback", "--calendar-endpoint", cal.URL+"/calendar/v3/")
	return base, p
}

// TestBrowserOIDCProvider: the sample in a real browser at a certified
// OpenID Provider nobody here wrote, on its own login and consent pages.
func TestBrowserOIDCProvider(t *testing.T) {
	base, p := startWithOIDCProvider(t)
	b := browsertest.Start(t)
	tab := b.NewTab(t)

	// Sign in: the calendars page sends the browser to the provider's
	// login page; after login and consent it lands back on the calendars
	// page, whose list comes from the calendar API called with the
	// provider's access token.
	tab.Navigate(base + "/calendars")
	browsertest.LoginOIDCProvider(tab, "carol", oidcprovidertest.Password)
	browsertest.ConsentOIDCProvider(tab)
	tab.WaitText("Your calendars")
	if got := tab.Text("#calendars"); got != "carol (carol@example.com, owner)" {
		t.Errorf("calendars = %q, want carol's", got)
	}
	// oidc-provider puts email in UserInfo, not in this ID token: web
	// asks UserInfo at sign-in.
	if got := tab.Text("#user"); got != "carol@example.com" {
		t.Errorf("signed in as %q, want carol@example.com (from UserInfo)", got)
	}
	if u := tab.URL(); u.String() != base+"/calendars" {
		t.Errorf("landed on %s, want %s/calendars", u.Redacted(), base)
	}
	wantSessionCookie(t, tab)

	// Incremental authorization: the events page needs one more scope;
	// the provider asks for consent again (no login: its session stays),
	// and the grant holds both scopes. The calendars page still works
	// without going back to the provider: the new token carries the
	// first scope too (the stand-in checks it by introspection).
	tab.Navigate(base + "/events")
	tab.WaitVisible(`form:has(input[name="prompt"][value="consent"])`)
	if !strings.Contains(tab.PageText(), "calendar.events.readonly") {
		t.Errorf("the consent page does not name the new scope:\n%s", tab.PageText())
	}
	browsertest.ConsentOIDCProvider(tab)
	tab.WaitText("This page needs one more scope")
	scopes := tab.Text("#scopes")
	for _, s := range []string{"openid", scopeCalendars, scopeEvents} {
		if !strings.Contains(scopes, s) {
			t.Errorf("granted scopes lack %s:\n%s", s, scopes)
		}
	}
	tab.Navigate(base + "/calendars")
	if got := tab.Text("#calendars"); got != "carol (carol@example.com, owner)" {
		t.Errorf("calendars after the second grant = %q", got)
	}
	if u := tab.URL(); u.String() != base+"/calendars" {
		t.Errorf("the calendars page went elsewhere after the second grant: %s", u.Redacted())
	}

	// Sign out: the session cookie is gone, the provider's session too
	// (RP-initiated logout, confirmed on its page), and the calendars page
	// sends the browser to the provider's login page again.
	tab.Click("#sign-out")
	tab.WaitText("Do you want to sign-out from")
	tab.ClickButton("Yes, sign me out")
	tab.WaitText("Sign-out Success")
	for _, c := range tab.CookiesFor(base + "/") {
		if c.Name == "session" {
			t.Errorf("the session cookie is still there after sign-out")
		}
	}
	tab.Navigate(base + "/calendars")
	tab.WaitVisible(oidcLogin)
	if u := tab.URL(); !strings.HasPrefix(u.String(), p.Issuer+"/") {
		t.Errorf("after sign-out the calendars page went to %s, want the provider's login", u.Redacted())
	}

	// Cancel at the provider's consent page (another browser): the app's
	// own error page, in words.
	other := b.NewIsolatedTab(t)
	other.Navigate(base + "/calendars")
	browsertest.LoginOIDCProvider(other, "dave", oidcprovidertest.Password)
	browsertest.DenyOIDCProvider(other)
	page := other.WaitText("Sign-in problem")
	if got := other.Status(); got != http.StatusForbidden {
		t.Errorf("error page status %d, want 403", got)
	}
	wantPlainError(t, page, "You did not allow this application to sign you in.")
}

// TestBrowserOIDCProviderTwoTabs: two tabs of one browser start a sign-in
// for the calendars page at the same time (each is at the provider's login
// page before the other finishes, each with a state cookie of its own);
// both complete, and the first tab's session still works after the
// second's sign-in.
func TestBrowserOIDCProviderTwoTabs(t *testing.T) {
	base, _ := startWithOIDCProvider(t)
	b := browsertest.Start(t)
	first, second := b.NewTab(t), b.NewTab(t)
	signInBoth(t, base, "erin", [2]*browsertest.Tab{first, second},
		[2]string{"/calendars", "/calendars?tab=2"}, [2]string{"Your calendars", "Your calendars"},
		func() {
			if n := stateCookies(first.CookiesFor(base + "/")); n != 1 {
				t.Errorf("%d sign-in state cookies after the first sign-in, want the second tab's (1)", n)
			}
		})

	for i, tab := range []*browsertest.Tab{first, second} {
		if got := tab.Text("#calendars"); got != "erin (erin@example.com, owner)" {
			t.Errorf("tab %d: calendars = %q", i+1, got)
		}
	}
	if u := second.URL(); u.String() != base+"/calendars?tab=2" {
		t.Errorf("the second tab landed on %s, not on the page it started from", u.Redacted())
	}
	if n := stateCookies(first.CookiesFor(base + "/")); n != 0 {
		t.Errorf("%d sign-in state cookies left after both sign-ins", n)
	}
	first.Navigate(base + "/calendars")
	if got := first.Text("#calendars"); got != "erin (erin@example.com, owner)" {
		t.Errorf("first tab after the second sign-in: calendars = %q", got)
	}
	if u := first.URL(); u.String() != base+"/calendars" {
		t.Errorf("first tab after the second sign-in went to %s", u.Redacted())
	}
}

// oidcLogin is the provider's login form.
const oidcLogin = `form:has(input[name="prompt"][value="login"])`

// signInBoth has two tabs of one browser start a sign-in at once, for
// base+paths[i]: each tab is at the provider's login page, with a state
// cookie of its own, before either finishes. Then the first tab signs in
// as user and consents, landing on its page (which shows texts[0]);
// between, when not nil, is called; then the second does the same.
// (Interleaving the two logins at the provider would not do:
// oidc-provider refuses the first tab's consent, "interaction session and
// authentication session mismatch", once the second login replaced its
// session.)
func signInBoth(t *testing.T, base, user string, tabs [2]*browsertest.Tab, paths, texts [2]string, between func()) {
	t.Helper()
	for i, tab := range tabs {
		tab.Navigate(base + paths[i])
	}
	for _, tab := range tabs {
		tab.WaitVisible(oidcLogin)
	}
	if n := stateCookies(tabs[0].CookiesFor(base + "/")); n != 2 {
		t.Errorf("%d sign-in state cookies in the browser, want one per tab (2)", n)
	}
	for i, tab := range tabs {
		browsertest.LoginOIDCProvider(tab, user, oidcprovidertest.Password)
		browsertest.ConsentOIDCProvider(tab)
		tab.WaitText(texts[i])
		if i == 0 && between != nil {
			between()
		}
	}
}

// stateCookies counts the app's cookies of sign-ins in progress (one
// each, named oauth2state-HASH). The provider's cookies are there too:
// cookies are per host, not per port.
func stateCookies(cs []*http.Cookie) int {
	n := 0
	for _, c := range cs {
		if strings.HasPrefix(c.Name, "oauth2state-") {
			n++
		}
	}
	return n
}

// TestBrowserOIDCProviderNarrowerSecondSignIn: while the first tab signs
// in for the calendars page, a second tab signs in for the events page,
// its sign-in started before the first finished, so it asks for the
// events scope but not the calendars one. Afterwards the first tab's
// calendars page must still show the calendars, possibly after one more
// consent.
//
// Package web stores the scopes a token response names as they are (the
// grant), so Required asks for the missing one again; oidc-provider has
// no include_granted_scopes.
func TestBrowserOIDCProviderNarrowerSecondSignIn(t *testing.T) {
	base, p := startWithOIDCProvider(t)
	b := browsertest.Start(t)
	first, second := b.NewTab(t), b.NewTab(t)
	signInBoth(t, base, "frank", [2]*browsertest.Tab{first, second},
		[2]string{"/calendars", "/events"}, [2]string{"Your calendars", "This page needs one more scope"}, nil)

	first.Navigate(base + "/calendars")
	if strings.HasPrefix(first.URL().String(), p.Issuer+"/") {
		browsertest.ConsentOIDCProvider(first)
	}
	first.WaitText("Your calendars")
	if got := first.Text("#calendars"); got != "frank (frank@example.com, owner)" {
		t.Errorf("first tab after the second sign-in: calendars = %q", got)
	}
}
