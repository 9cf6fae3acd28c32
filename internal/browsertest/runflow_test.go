package browsertest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/browsertest"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/tools"
)

// flowResult is what tools.RunFlow returned.
type flowResult struct {
	creds *oauth2client.Credentials
	err   error
}

// startRunFlow runs tools.RunFlow for flow with a loopback redirect in the
// background; its browser opener hands the authorization URL to the test,
// which drives Chromium there instead of the system's browser.
func startRunFlow(t *testing.T, flow *oauth2client.Flow) (authURL string, result <-chan flowResult) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	urls := make(chan string, 1)
	results := make(chan flowResult, 1)
	go func() {
		creds, err := tools.RunFlow(ctx, flow, nil, "", &tools.Options{
			OpenBrowser: func(u string) error { urls <- u; return nil },
			Stderr:      io.Discard,
		})
		results <- flowResult{creds, err}
	}()
	select {
	case u := <-urls:
		return u, results
	case r := <-results:
		t.Fatalf("RunFlow ended before opening a browser: %v", r.err)
	}
	return "", nil
}

// newOAuth2TestFlow starts oauth2test with its consent page (no
// AutoApprove) and returns a flow for a public client accepting any
// loopback redirect.
func newOAuth2TestFlow(t *testing.T) *oauth2client.Flow {
	t.Helper()
	srv := oauth2test.NewServer(&oauth2test.Options{
		Clients: []oauth2test.Client{{ID: "cli-app", AnyLoopbackRedirect: true}},
	})
	t.Cleanup(srv.Close)
	ep, err := oauth2client.Discover(context.Background(), srv.URL, &oauth2client.DiscoverOptions{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ep.DeviceAuthURL = "" // the loopback flow only
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:   "cli-app",
		Endpoint:   *ep,
		Scopes:     []string{"openid", "email"},
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return flow
}

// TestRunFlowOAuth2TestConsent: a command-line sign-in (tools.RunFlow with
// its loopback redirect) through oauth2test's consent page in a real
// browser. Allow: the flow gets tokens for the user typed in, and the
// browser lands on the loopback server's success page. Deny: the flow ends
// with access_denied, and the page says so in words.
func TestRunFlowOAuth2TestConsent(t *testing.T) {
	t.Parallel()
	b := browsertest.Start(t)

	t.Run("allow", func(t *testing.T) {
		authURL, result := startRunFlow(t, newOAuth2TestFlow(t))
		tab := b.NewTab(t)
		if got := tab.Navigate(authURL); got != http.StatusOK {
			t.Errorf("consent page status %d", got)
		}
		tab.WaitText("This is oauth2test")
		browsertest.ApproveOAuth2Test(tab, "bob")
		tab.WaitText(tools.SuccessPage)
		if got := tab.Status(); got != http.StatusOK {
			t.Errorf("success page status %d", got)
		}
		if u := tab.URL(); u.Hostname() != "127.0.0.1" || !u.Query().Has("code") {
			t.Errorf("the browser ended on %s, want the loopback redirect", u.Redacted())
		}
		r := <-result
		if r.err != nil {
			t.Fatalf("RunFlow: %v", r.err)
		}
		if tok := r.creds.CurrentToken(); tok.AccessToken == "" || tok.IDToken == "" {
			t.Errorf("token without an access token or an ID token")
		}
		if sub := r.creds.IDTokenClaims()["sub"]; sub != "bob" {
			t.Errorf("ID token sub %v, want bob (typed on the consent page)", sub)
		}
	})

	t.Run("deny", func(t *testing.T) {
		authURL, result := startRunFlow(t, newOAuth2TestFlow(t))
		tab := b.NewTab(t)
		tab.Navigate(authURL)
		browsertest.DenyOAuth2Test(tab)
		page := tab.WaitText("access_denied")
		r := <-result
		if !errors.Is(r.err, oauth2client.ErrAccessDenied) {
			t.Errorf("RunFlow error %v, want access_denied", r.err)
		}
		if got := tab.Status(); got != http.StatusBadRequest {
			t.Errorf("error page status %d, want 400", got)
		}
		wantPlainError(t, page, "The authentication flow failed: access_denied: the user denied the request")
	})
}

// wantPlainError checks that page says want, and shows no trace of a
// program's insides.
func wantPlainError(t *testing.T, page, want string) {
	t.Helper()
	if !strings.Contains(page, want) {
		t.Errorf("page does not say %q:\n%s", want, page)
	}
	for _, bad := range []string{"goroutine ", ".go:", "panic", "runtime.", "code="} {
		if strings.Contains(page, bad) {
			t.Errorf("page shows %q:\n%s", bad, page)
		}
	}
}

// newOIDCProviderFlow returns a flow for the oidc-provider's public native
// client, whose redirect URI accepts any loopback port.
func newOIDCProviderFlow(t *testing.T, p *oidcprovidertest.Provider) *oauth2client.Flow {
	t.Helper()
	ep := p.Endpoint(t)
	ep.DeviceAuthURL = "" // the loopback flow only
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:    p.Public.ID,
		Endpoint:    *ep,
		RedirectURL: oidcprovidertest.RedirectURI,
		Scopes:      []string{"openid", "email", "profile"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return flow
}

// TestRunFlowOIDCProvider: a command-line sign-in (tools.RunFlow with its
// loopback redirect) at a certified OpenID Provider nobody here wrote, on
// its own login and consent pages in a real browser. A second sign-in in
// the same browser reuses the provider's session: no login page, only the
// confirmation of the consent given (the provider asks it of native
// clients every time); cancelling at the consent page of another browser
// ends the flow with access_denied.
func TestRunFlowOIDCProvider(t *testing.T) {
	t.Parallel()
	p := oidcprovidertest.Start(t)
	b := browsertest.Start(t)
	tab := b.NewTab(t)

	authURL, result := startRunFlow(t, newOIDCProviderFlow(t, p))
	tab.Navigate(authURL)
	browsertest.LoginOIDCProvider(tab, "carol", oidcprovidertest.Password)
	browsertest.ConsentOIDCProvider(tab)
	tab.WaitText(tools.SuccessPage)
	r := <-result
	if r.err != nil {
		t.Fatalf("RunFlow: %v", r.err)
	}
	claims := r.creds.IDTokenClaims()
	if claims["sub"] != "carol" || claims["iss"] != p.Issuer {
		t.Errorf("ID token claims %v, want sub carol from %s", claims, p.Issuer)
	}
	if len(tab.CookiesFor(p.Issuer+"/")) == 0 {
		t.Errorf("the provider set no session cookie")
	}

	t.Run("second sign-in reuses the session", func(t *testing.T) {
		authURL, result := startRunFlow(t, newOIDCProviderFlow(t, p))
		second := b.NewTab(t)
		second.Navigate(authURL)
		second.WaitText("confirm previously given authorization")
		browsertest.ConsentOIDCProvider(second)
		second.WaitText(tools.SuccessPage)
		r := <-result
		if r.err != nil {
			t.Fatalf("RunFlow: %v", r.err)
		}
		if sub := r.creds.IDTokenClaims()["sub"]; sub != "carol" {
			t.Errorf("second sign-in as %v, want carol", sub)
		}
	})

	t.Run("cancel at consent", func(t *testing.T) {
		authURL, result := startRunFlow(t, newOIDCProviderFlow(t, p))
		other := b.NewIsolatedTab(t)
		other.Navigate(authURL)
		browsertest.LoginOIDCProvider(other, "dave", oidcprovidertest.Password)
		browsertest.DenyOIDCProvider(other)
		page := other.WaitText("access_denied")
		r := <-result
		if !errors.Is(r.err, oauth2client.ErrAccessDenied) {
			t.Errorf("RunFlow error %v, want access_denied", r.err)
		}
		wantPlainError(t, page, "The authentication flow failed: access_denied: End-User aborted interaction")
	})
}
