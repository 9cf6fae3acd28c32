package oauth2client_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Issue 10, item 6: the logout URL built from discovery and the ID token
// is accepted by oauth2test's end-session endpoint, which sends the user
// back with the state; a forged hint is refused.
func TestLogoutURLAgainstOAuth2Test(t *testing.T) {
	t.Parallel()
	srv := appServer(t)
	creds, err := loginWith(t, srv, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	endpoint, err := oauth2client.Discover(t.Context(), srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if endpoint.EndSessionURL != srv.URL+oauth2test.PathEndSession {
		t.Fatalf("EndSessionURL = %q", endpoint.EndSessionURL)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct {
		name       string
		hint       string
		wantStatus int
	}{
		{"ID token hint", creds.CurrentToken().IDToken, http.StatusFound},
		{"forged hint", forgeSub(creds.CurrentToken().IDToken, "mallory"), http.StatusBadRequest},
	} {
		u, err := endpoint.LogoutURL(oauth2client.LogoutOptions{
			IDTokenHint: tt.hint, PostLogoutRedirectURL: "http://127.0.0.1:8080/bye", State: "st",
		})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := noFollow.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.wantStatus {
			t.Errorf("%s: HTTP %d, want %d", tt.name, resp.StatusCode, tt.wantStatus)
			continue
		}
		if tt.wantStatus == http.StatusFound {
			loc, _ := url.Parse(resp.Header.Get("Location"))
			if loc.Path != "/bye" || loc.Query().Get("state") != "st" {
				t.Errorf("%s: redirected to %s", tt.name, loc)
			}
		}
	}
}
