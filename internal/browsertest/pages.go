package browsertest

// Page drivers: what a person does on the sign-in pages of the servers the
// tests run, so that each test states only its own steps. Each waits for
// its page (across the redirects on the way to it) and ends the test with
// t.Fatal when the page does not come within the browser's Timeout.

// Selectors of oauth2test's consent page (oauth2test/authorize.go).
const (
	oauth2testUser  = `form[action="/authorize"] input[name="user"]`
	oauth2testAllow = `form[action="/authorize"] button#allow`
	oauth2testDeny  = `form[action="/authorize"] button#deny`
)

// ApproveOAuth2Test answers oauth2test's consent page (a server without
// AutoApprove) in tab with Allow, signing in as user, or as the page's
// default user (the request's login_hint, else the server's DefaultUser)
// when user is empty. The server then redirects to the client with a code.
func ApproveOAuth2Test(tab *Tab, user string) {
	tab.t.Helper()
	tab.WaitVisible(oauth2testAllow)
	if user != "" {
		tab.Type(oauth2testUser, user)
	}
	tab.Click(oauth2testAllow)
}

// DenyOAuth2Test answers oauth2test's consent page in tab with Deny. The
// server then redirects to the client with error=access_denied.
func DenyOAuth2Test(tab *Tab) {
	tab.t.Helper()
	tab.Click(oauth2testDeny)
}

// Selectors of oidc-provider's interaction pages (its devInteractions:
// lib/views/login.js and interaction.js), told apart by their hidden
// prompt field.
const (
	oidcLoginForm   = `form:has(input[name="prompt"][value="login"])`
	oidcConsentForm = `form:has(input[name="prompt"][value="consent"])`
	oidcCancel      = `a[href$="/abort"]`
)

// LoginOIDCProvider signs user in on the login page of the oidc-provider
// started by internal/oidcprovidertest: it types user and password (the
// provider accepts any; oidcprovidertest.Password will do) and submits.
// The provider then shows its consent page, unless the user has already
// consented (see [ConsentOIDCProvider]).
func LoginOIDCProvider(tab *Tab, user, password string) {
	tab.t.Helper()
	tab.Type(oidcLoginForm+` input[name="login"]`, user)
	tab.Type(oidcLoginForm+` input[name="password"]`, password)
	tab.Click(oidcLoginForm + ` button[type="submit"]`)
}

// ConsentOIDCProvider presses Continue on the oidc-provider's consent page
// (the scopes and claims the client asks for). The provider then redirects
// to the client with a code.
func ConsentOIDCProvider(tab *Tab) {
	tab.t.Helper()
	tab.Click(oidcConsentForm + ` button[type="submit"]`)
}

// DenyOIDCProvider follows the Cancel link on the oidc-provider's consent
// page. The provider then redirects to the client with
// error=access_denied.
func DenyOIDCProvider(tab *Tab) {
	tab.t.Helper()
	tab.WaitVisible(oidcConsentForm)
	tab.Click(oidcCancel)
}
