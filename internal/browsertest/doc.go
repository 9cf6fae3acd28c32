// Package browsertest drives a real, headless Chromium from tests, through
// the DevTools protocol (github.com/chromedp/chromedp): sign-in pages are
// clicked and typed into as a person would, cookies are read back with their
// HttpOnly, Secure and SameSite flags, and a failed test leaves a full-page
// screenshot of every open tab.
//
//	b := browsertest.Start(t)
//	tab := b.NewTab(t)
//	tab.Navigate(app.URL)
//	tab.ClickButton("Sign in")
//	browsertest.ApproveOAuth2Test(tab, "alice")
//	tab.WaitText("Signed in as alice")
//
// # Requirements
//
// Debian's chromium package (/usr/bin/chromium), or the path of another
// Chromium or Chrome in the environment variable CHROMIUM. When it is
// missing, [Start] skips the test, or fails it when the environment variable
// CI is "true" (.ci/run installs it).
//
// # The browser
//
// [Start] runs one browser per test, headless, with a fresh profile under
// the test's temporary folder and the flags
//
//	--headless --no-sandbox --disable-gpu --no-first-run
//	--disable-background-networking --disable-component-update
//	--disable-sync --disable-quic
//
// so that it talks to nothing but the test's own servers on 127.0.0.1. The
// browser and every process it started are gone when the test's cleanups
// have run. Chromium counts http://127.0.0.1 as a secure context: it keeps
// Secure and __Host- cookies a plain-HTTP loopback server sets.
//
// # Tabs and failures
//
// Each [Tab] is a separate page target; tabs of one [Browser] share its
// cookie jar (a second tab of the same user), while [Browser.NewIsolatedTab]
// has a jar of its own (another browser). Every method waits at most
// [Browser.Timeout] and ends the test with t.Fatal when its action fails or
// times out, naming the action and the page it was on; call them from the
// test's goroutine. When the test has failed, each open tab's page is saved
// as a PNG in t.ArtifactDir (kept with go test -artifacts) and the path
// logged.
//
// # Page drivers
//
// [ApproveOAuth2Test] and [DenyOAuth2Test] answer oauth2test's consent page;
// [LoginOIDCProvider], [ConsentOIDCProvider] and [DenyOIDCProvider] answer the
// login and consent pages of the oidc-provider started by
// internal/oidcprovidertest.
package browsertest
