package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store/file"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

// runProcess runs oauth2client with args in a new process and returns its
// stdout; it fails the test on a non-zero exit.
func runProcess(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := cliCommand(t, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v; stderr:\n%s", strings.Join(args, " "), err, errOut.String())
	}
	return out.String()
}

// TestDPoPLoginSQLite (issue 11): login --dpop stores DPoP-bound
// credentials and their key in SQLite; token (in new processes, before
// and after expiry, with the server's nonces and rotating refresh tokens)
// prints a DPoP token and its key's thumbprint, never the key; request
// sends proofs; info says the credentials are bound.
func TestDPoPLoginSQLite(t *testing.T) {
	tc := newTestServer(t, &oauth2test.Options{TokenTTL: time.Hour, DPoPNonce: true, RotateRefreshTokens: true})
	db := filepath.Join(t.TempDir(), "creds.db")
	flags := []string{"--client-secrets", tc.cs, "--scope", "openid offline_access", "--store", "sqlite:" + db}
	with := func(args ...string) []string { return append(args, flags...) }

	msg := loginNoBrowser(t, append([]string{"--dpop"}, flags...))
	if !strings.Contains(msg, "bound to a DPoP key") {
		t.Errorf("login stderr:\n%s", msg)
	}
	s, err := sqlite.Open(t.Context(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	key := derivedKey(tc.id, "", scopeList{"offline_access", "openid"})
	stored, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	var ext struct {
		JKT string `json:"jkt"`
		JWK struct {
			D string `json:"d"`
		} `json:"jwk"`
	}
	if err := json.Unmarshal(stored.Extensions[dpop.Extension], &ext); err != nil || ext.JWK.D == "" {
		t.Fatalf("stored DPoP key: %v (%s)", err, stored.ExtensionNames())
	}
	secrets := append(secretsOf(stored), ext.JWK.D)
	noSecrets := func(what, out string) {
		t.Helper()
		for _, sec := range secrets {
			if strings.Contains(out, sec) {
				t.Errorf("%s shows a secret (client secret, refresh token or DPoP key):\n%s", what, out)
			}
		}
	}
	noSecrets("login", msg)

	var printed []string
	for i := range 3 {
		if i > 0 { // a refresh with a proof, in a new process
			err := s.Update(t.Context(), key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
				return expired(cur), nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		out := runProcess(t, with("token", "--format", "json")...)
		noSecrets("token --format json", out)
		var tj tokenJSON
		if err := json.Unmarshal([]byte(out), &tj); err != nil {
			t.Fatalf("token --format json printed %q: %v", out, err)
		}
		if tj.TokenType != "DPoP" || tj.Cnf["jkt"] != ext.JKT {
			t.Fatalf("token %d: type %q, cnf %v; want DPoP and jkt %s", i, tj.TokenType, tj.Cnf, ext.JKT)
		}
		printed = append(printed, tj.AccessToken)
	}
	// A refresh logged at debug level shows no secret either.
	if err := s.Update(t.Context(), key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		return expired(cur), nil
	}); err != nil {
		t.Fatal(err)
	}
	code, _, debugOut := runCLI(t, t.Context(), with("token", "--logging-level", "DEBUG")...)
	if code != 0 || !strings.Contains(debugOut, "DEBUG") {
		t.Errorf("token --logging-level DEBUG: exit %d, stderr:\n%s", code, debugOut)
	}
	noSecrets("debug log", debugOut)
	if printed[0] == printed[1] || printed[1] == printed[2] {
		t.Error("the tokens after expiry are not new ones")
	}
	if n := tc.srv.TokenRequests("refresh_token"); n < 2 {
		t.Errorf("%d refresh requests, want 2", n)
	}

	body := runProcess(t, with("request", tc.srv.URL+oauth2test.PathCalendarList)...)
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Errorf("request printed %q, want the JSON body: %v", body, err)
	}
	if _, _, errOut := runCLI(t, t.Context(), with("header")...); !strings.Contains(errOut, "DPoP proof") {
		t.Errorf("header says nothing of the proof a DPoP token needs: %q", errOut)
	}
	info := runOK(t, with("info", "--offline")...)
	if !strings.Contains(info, "binding:        DPoP (key thumbprint "+ext.JKT) {
		t.Errorf("info does not say the credentials are DPoP-bound:\n%s", info)
	}
	noSecrets("info", info)
}

// TestDPoPLoginFlags: --dpop-alg needs --dpop and a known algorithm, and
// --dpop refuses a store of a Python format before the login.
func TestDPoPLoginFlags(t *testing.T) {
	tc := newTestServer(t, nil)
	py := filepath.Join(t.TempDir(), "py.json")
	ps, err := file.Open(py, &file.Options{NewFormat: file.FormatMultistore})
	if err != nil {
		t.Fatal(err)
	}
	if err := ps.Save(t.Context(), "other", tc.authorize(t, "openid").State()); err != nil {
		t.Fatal(err)
	}
	ps.Close()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dpop-alg", "ES256"}, "--dpop-alg needs --dpop"},
		{[]string{"--dpop", "--dpop-alg", "HS256"}, "HS256"},
		{[]string{"--dpop", "--store", "file:" + py}, "DPoP key"},
	} {
		code, _, errOut := runCLI(t, t.Context(), append([]string{"login", "--no-browser", "--client-secrets", tc.cs, "--scope", "openid"}, c.args...)...)
		if code == 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("login %q: exit %d, stderr %q; want %q", c.args, code, errOut, c.want)
		}
	}
}

// TestDPoPOIDCProviderCLI (issue 11): login --dpop --store sqlite: against
// oidc-provider (its client needing DPoP nonces), then, each in a new
// process, token --format json after expiry (twice: the rotated,
// DPoP-bound refresh token and the key are read back from SQLite) and
// request against userinfo with a proof.
func TestDPoPOIDCProviderCLI(t *testing.T) {
	p := oidcprovidertest.Start(t)
	db := filepath.Join(t.TempDir(), "creds.db")
	flags := []string{"--issuer", p.Issuer, "--client-id", p.DPoPNonce.ID, "--scope", "openid email offline_access", "--store", "sqlite:" + db}
	with := func(args ...string) []string { return append(args, flags...) }

	if msg := oidcLogin(t, with("--dpop")...); !strings.Contains(msg, "bound to a DPoP key") {
		t.Errorf("login stderr:\n%s", msg)
	}

	s, err := sqlite.Open(t.Context(), db, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	key := derivedKey(p.DPoPNonce.ID, "", scopeList{"openid", "email", "offline_access"})
	prev, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := s.Update(t.Context(), key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
			return expired(cur), nil
		}); err != nil {
			t.Fatal(err)
		}
		var tj tokenJSON
		if err := json.Unmarshal([]byte(runProcess(t, with("token", "--format", "json")...)), &tj); err != nil {
			t.Fatal(err)
		}
		if tj.TokenType != "DPoP" || tj.Cnf["jkt"] == "" {
			t.Fatalf("refresh %d: type %q, cnf %v", i, tj.TokenType, tj.Cnf)
		}
		cur, err := s.Load(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Token.RefreshToken == prev.Token.RefreshToken || cur.Token.AccessToken != tj.AccessToken {
			t.Fatalf("refresh %d: the rotated refresh token or the new access token was not stored", i)
		}
		prev = cur
	}
	ep := p.Endpoint(t)
	body := runProcess(t, with("request", ep.UserInfoURL)...)
	var claims map[string]any
	if err := json.Unmarshal([]byte(body), &claims); err != nil || claims["sub"] != "alice" {
		t.Errorf("userinfo: %q (%v), want sub alice", body, err)
	}
}
