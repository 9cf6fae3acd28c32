package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// deviceLogin runs login --device with flags; approve is called with the
// verification URI and user code login prints.
func deviceLogin(t *testing.T, flags []string, approve func(uri, code string)) string {
	t.Helper()
	l := startLogin(t, append([]string{"--device"}, flags...)...)
	uri := l.waitLine(t, isURLLine)
	code := strings.TrimPrefix(l.waitLine(t, func(s string) bool { return strings.HasPrefix(s, "and enter the code: ") }), "and enter the code: ")
	if approve != nil {
		approve(uri, code)
	}
	return l.wait(t)
}

// oidcLogin runs login --no-browser with args against oidc-provider,
// signs alice in, and returns login's stderr.
func oidcLogin(t *testing.T, args ...string) string {
	t.Helper()
	l := startLogin(t, append([]string{"--no-browser", "--redirect-uri", oidcprovidertest.RedirectURI}, args...)...)
	authURL := l.waitLine(t, isURLLine)
	cb, err := oidcprovidertest.Login(t.Context(), nil, authURL, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if status := curl(t, cb.String()); status != 200 {
		t.Errorf("the loopback server answered HTTP %d", status)
	}
	return l.wait(t)
}

// TestEndToEndOIDCProvider: login --no-browser by --issuer with
// oidc-provider's public PKCE client (refresh tokens rotate on every use),
// then token, a refresh after expiry (twice, so the rotated refresh token
// must have been stored), request against userinfo, revoke.
func TestEndToEndOIDCProvider(t *testing.T) {
	p := oidcprovidertest.Start(t)
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--issuer", p.Issuer, "--client-id", p.Public.ID, "--scope", "openid email offline_access", "--store", "file:" + path}
	with := func(args ...string) []string { return append(args, flags...) }

	if msg := oidcLogin(t, flags...); !strings.Contains(msg, ": verified.") {
		t.Errorf("login did not verify oidc-provider's ID token:\n%s", msg)
	}

	key := derivedKey(p.Public.ID, "", scopeList{"openid", "email", "offline_access"})
	first := strings.TrimSpace(runOK(t, with("token")...))
	refresh := storedRefreshToken(t, path, key)
	for i := range 2 {
		expireStored(t, path, key)
		tok := strings.TrimSpace(runOK(t, with("token")...))
		if tok == "" || tok == first {
			t.Fatalf("refresh %d: token %q", i, tok)
		}
		if rt := storedRefreshToken(t, path, key); rt == refresh || rt == "" {
			t.Fatalf("refresh %d: the rotated refresh token was not stored", i)
		} else {
			refresh = rt
		}
		first = tok
	}

	ep := p.Endpoint(t)
	body := runOK(t, with("request", ep.UserInfoURL)...)
	var claims map[string]any
	if err := json.Unmarshal([]byte(body), &claims); err != nil || claims["sub"] != "alice" {
		t.Errorf("userinfo: %q (%v), want sub alice", body, err)
	}

	runOK(t, with("revoke")...)
	if code, _, _ := runCLI(t, t.Context(), with("token")...); code != exitFailure {
		t.Errorf("token after revoke: exit %d, want 1", code)
	}
}

// storedRefreshToken reads the refresh token stored under key.
func storedRefreshToken(t *testing.T, path, key string) string {
	t.Helper()
	s := openFile(t, path)
	c, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return c.Token.RefreshToken
}

func TestDeviceLogin(t *testing.T) {
	t.Run("oauth2test", func(t *testing.T) {
		tc := newTestServer(t, nil)
		path := filepath.Join(t.TempDir(), "creds.json")
		flags := []string{"--issuer", tc.srv.URL, "--client-id", servePublicID, "--scope", "openid", "--store", "file:" + path}
		msg := deviceLogin(t, flags, nil) // auto-approve
		if !strings.Contains(msg, "Logged in") {
			t.Errorf("login stderr:\n%s", msg)
		}
		runOK(t, append([]string{"request", tc.srv.URL + oauth2test.PathCalendarList}, flags...)...)
		if tok := strings.TrimSpace(runOK(t, append([]string{"token"}, flags...)...)); tok == "" {
			t.Error("no token after device login")
		}
	})
	t.Run("oidc-provider", func(t *testing.T) {
		p := oidcprovidertest.Start(t)
		path := filepath.Join(t.TempDir(), "creds.json")
		flags := []string{"--issuer", p.Issuer, "--client-id", p.Public.ID, "--scope", "openid offline_access", "--store", "file:" + path}
		deviceLogin(t, flags, func(uri, code string) {
			if err := oidcprovidertest.ApproveDevice(t.Context(), nil, uri, code, "bob"); err != nil {
				t.Error(err)
			}
		})
		key := derivedKey(p.Public.ID, "", scopeList{"openid", "offline_access"})
		if storedRefreshToken(t, path, key) == "" {
			t.Error("no refresh token stored")
		}
		expireStored(t, path, key)
		if tok := strings.TrimSpace(runOK(t, append([]string{"token"}, flags...)...)); tok == "" {
			t.Error("no token after device login")
		}
	})
}
