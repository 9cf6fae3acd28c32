package main

import (
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Issue 10, items 4 and 6 (CLI): login --par pushes the authorization
// request; logout --end-session revokes and prints a logout URL that
// oauth2test's end-session endpoint accepts, with --issuer or with the
// issuer of the stored ID token.
func TestLoginPARAndLogoutEndSession(t *testing.T) {
	tc := newTestServer(t, nil)
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--client-secrets", tc.cs, "--scope", "openid", "--store", "file:" + path}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for i, logoutFlags := range [][]string{
		{"--issuer", tc.srv.URL},
		nil, // the issuer of the stored ID token
	} {
		loginNoBrowser(t, append([]string{"--issuer", tc.srv.URL, "--par"}, flags...))
		if got := tc.srv.Requests(oauth2test.PathPAR); got != i+1 {
			t.Errorf("login --par: %d PAR requests in all, want %d", got, i+1)
		}
		revokes := tc.srv.Requests(oauth2test.PathRevoke)
		args := append(append([]string{"logout", "--end-session", "--post-logout-redirect-uri", "http://127.0.0.1:9/bye"}, logoutFlags...), flags...)
		out := strings.TrimSpace(runOK(t, args...))
		u, err := url.Parse(out)
		if err != nil || !strings.HasPrefix(out, tc.srv.URL+oauth2test.PathEndSession+"?") {
			t.Fatalf("logout --end-session printed %q", out)
		}
		q := u.Query()
		if q.Get("id_token_hint") == "" || q.Get("client_id") != tc.id || q.Get("post_logout_redirect_uri") != "http://127.0.0.1:9/bye" {
			t.Errorf("logout URL query = %v", q)
		}
		if got := tc.srv.Requests(oauth2test.PathRevoke) - revokes; got != 1 {
			t.Errorf("logout --end-session made %d revocation requests, want 1", got)
		}
		resp, err := noFollow.Get(out)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusFound || !strings.HasPrefix(resp.Header.Get("Location"), "http://127.0.0.1:9/bye") {
			t.Errorf("end-session endpoint: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		code, _, errOut := runCLI(t, t.Context(), append([]string{"token"}, flags...)...)
		if code != exitFailure || !strings.Contains(errOut, "no credentials") {
			t.Errorf("token after logout --end-session: exit %d, stderr %q", code, errOut)
		}
	}
	code, _, errOut := runCLI(t, t.Context(), append([]string{"logout", "--open"}, flags...)...)
	if code != exitUsage || !strings.Contains(errOut, "need --end-session") {
		t.Errorf("logout --open alone: exit %d, stderr %q", code, errOut)
	}
}

// Issue 10, items 4 and 6 against oidc-provider: login --par by --issuer
// with the confidential basic client, then logout --end-session, whose URL
// the provider accepts (its logout confirmation step).
func TestLoginPARLogoutOIDCProvider(t *testing.T) {
	p := oidcprovidertest.Start(t)
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--issuer", p.Issuer, "--client-id", p.Basic.ID, "--client-secret", p.Basic.Secret, "--scope", "openid email", "--store", "file:" + path}
	l := startLogin(t, append([]string{"--no-browser", "--par", "--redirect-uri", oidcprovidertest.RedirectURI}, flags...)...)
	authURL := l.waitLine(t, isURLLine)
	if q := mustQuery(t, authURL); len(q) != 2 || q.Get("request_uri") == "" {
		t.Errorf("login --par: authorization URL query %v, want client_id and request_uri", q)
	}
	cb, err := oidcprovidertest.Login(t.Context(), nil, authURL, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if status := curl(t, cb.String()); status != http.StatusOK {
		t.Errorf("the loopback server answered HTTP %d", status)
	}
	if msg := l.wait(t); !strings.Contains(msg, ": verified.") {
		t.Errorf("login --par did not verify the ID token:\n%s", msg)
	}
	out := strings.TrimSpace(runOK(t, append([]string{"logout", "--end-session"}, flags...)...))
	if !strings.HasPrefix(out, p.Issuer) || mustQuery(t, out).Get("id_token_hint") == "" {
		t.Fatalf("logout --end-session printed %q", out)
	}
	resp, err := http.Get(out)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "/session/end/confirm") {
		t.Errorf("end-session endpoint: HTTP %d:\n%.300s", resp.StatusCode, body)
	}
	if code, _, _ := runCLI(t, t.Context(), append([]string{"token"}, flags...)...); code != exitFailure {
		t.Errorf("token after logout --end-session: exit %d, want 1", code)
	}
}

// mustQuery returns the query of u.
func mustQuery(t *testing.T, u string) url.Values {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return p.Query()
}
