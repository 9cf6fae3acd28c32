package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// assertionKeyFile writes a new Ed25519 key as a JWK with kid to a file
// and returns the key, the file's name and the JWK's private part "d".
func assertionKeyFile(t *testing.T, kid string) (ed25519.PrivateKey, string, string) {
	t.Helper()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := jose.MarshalPrivateJWK(key, kid)
	if err != nil {
		t.Fatal(err)
	}
	var priv struct {
		D string `json:"d"`
	}
	if err := json.Unmarshal(jwk, &priv); err != nil || priv.D == "" {
		t.Fatalf("the JWK has no d: %v", err)
	}
	name := filepath.Join(t.TempDir(), kid+".jwk")
	if err := os.WriteFile(name, jwk, 0o600); err != nil {
		t.Fatal(err)
	}
	return key, name, priv.D
}

// Issue 10, item 7 (CLI): --client-assertion-key on every command that
// authenticates the client. A private_key_jwt client with no secret logs
// in (by the printed URL, with PAR, and by the device flow); the stored
// credentials keep the key file's path and kid, never the key, and token
// after expiry (a refresh), info (introspection) and revoke (logout
// --end-session after the PAR login) sign client assertions with it
// again, without the flag. oauth2test accepts nothing else from this
// client: another key given on the command line wins over the stored
// reference and is refused.
func TestClientAssertionKeyEndToEnd(t *testing.T) {
	key, keyFile, d := assertionKeyFile(t, "k1")
	_, otherFile, otherD := assertionKeyFile(t, "k2")
	const id = "jwt-app"
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, TokenTTL: time.Hour, Clients: []oauth2test.Client{
		{ID: id, AuthMethod: oauth2test.AuthMethodPrivateKeyJWT, PublicKey: key.Public(), AnyLoopbackRedirect: true},
	}})
	t.Cleanup(srv.Close)

	for _, tt := range []struct {
		name  string
		login func(t *testing.T, flags []string) string
		path  string // the endpoint login authenticated the client at, besides the token endpoint's
		n     int    // requests to path
	}{
		{"browser", loginNoBrowser, oauth2test.PathPAR, 0},
		{"par", func(t *testing.T, flags []string) string {
			return loginNoBrowser(t, append([]string{"--par"}, flags...))
		}, oauth2test.PathPAR, 1},
		{"device", func(t *testing.T, flags []string) string { return deviceLogin(t, flags, nil) }, oauth2test.PathDeviceCode, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "creds.json")
			flags := []string{"--issuer", srv.URL, "--client-id", id, "--scope", "openid", "--store", "file:" + path}
			with := func(args ...string) []string { return append(args, flags...) }
			var outs []string
			noKey := func(what, out string) {
				t.Helper()
				outs = append(outs, out)
				for _, s := range []string{d, otherD} {
					if strings.Contains(out, s) {
						t.Errorf("%s shows the private key", what)
					}
				}
			}

			before := srv.Requests(tt.path)
			msg := tt.login(t, append([]string{"--client-assertion-key", keyFile}, flags...))
			if !strings.Contains(msg, "Logged in") {
				t.Fatalf("login stderr:\n%s", msg)
			}
			noKey("login", msg)
			if n := srv.Requests(tt.path) - before; n != tt.n {
				t.Errorf("login made %d requests to %s, want %d", n, tt.path, tt.n)
			}
			key := derivedKey(id, "", scopeList{"openid"})
			st, err := openFile(t, path).Load(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			var ref assertionKeyRef
			if err := json.Unmarshal(st.Extensions[assertionKeyExt], &ref); err != nil || ref.Path != keyFile || st.ClientSecret != "" {
				t.Errorf("stored reference %s (%v), secret %q; want the path %s and no secret", st.Extensions[assertionKeyExt], err, st.ClientSecret, keyFile)
			}
			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{d, otherD} {
				if strings.Contains(string(raw), s) {
					t.Error("the store holds the private key")
				}
			}
			refresh := st.Token.RefreshToken

			first := strings.TrimSpace(runOK(t, with("token")...))
			expireStored(t, path, key)
			refreshes := srv.TokenRequests("refresh_token")
			tok := strings.TrimSpace(runOK(t, with("token")...))
			if tok == "" || tok == first {
				t.Errorf("token after expiry printed %q, want a new token", tok)
			}
			if n := srv.TokenRequests("refresh_token") - refreshes; n != 1 {
				t.Errorf("token after expiry made %d refresh requests, want 1", n)
			}
			noKey("token", tok)

			introspections := srv.Requests(oauth2test.PathIntrospect)
			info := runOK(t, with("info")...)
			if !strings.Contains(info, "server says:    scopes openid") || srv.Requests(oauth2test.PathIntrospect) == introspections {
				t.Errorf("info did not introspect the token:\n%s", info)
			}
			noKey("info", info)

			// The flag wins over the stored reference: another key is refused.
			expireStored(t, path, key)
			code, out, errOut := runCLI(t, t.Context(), with("token", "--client-assertion-key", otherFile)...)
			if code != exitFailure || !strings.Contains(errOut, "invalid_client") {
				t.Errorf("token with another key: exit %d, stderr %q; want 1 and invalid_client", code, errOut)
			}
			noKey("token with another key", out+errOut)
			code, _, errOut = runCLI(t, t.Context(), with("revoke", "--client-assertion-key", otherFile)...)
			if code != exitFailure {
				t.Errorf("revoke with another key: exit %d, stderr %q; want 1", code, errOut)
			}

			// revoke, or logout --end-session, which revokes too.
			revoke := []string{"revoke"}
			if tt.name == "par" {
				revoke = []string{"logout", "--end-session"}
			}
			revokes := srv.Requests(oauth2test.PathRevoke)
			msg = runOK(t, with(revoke...)...)
			noKey(revoke[0], msg)
			if srv.Requests(oauth2test.PathRevoke) == revokes {
				t.Errorf("%s made no revocation request", revoke[0])
			}
			code, _, errOut = runCLI(t, t.Context(), with("token")...)
			if code != exitFailure || !strings.Contains(errOut, "no credentials") {
				t.Errorf("token after revoke: exit %d, stderr %q", code, errOut)
			}
			for _, o := range outs {
				if refresh != "" && strings.Contains(o, refresh) {
					t.Error("an output shows the refresh token")
				}
			}
		})
	}
}

// A login with --client-assertion-key into a store of a Python format
// fails, saying why; a stored reference to a key file that is gone fails
// naming the file and the flag that overrides it.
func TestClientAssertionKeyStoreErrors(t *testing.T) {
	key, keyFile, _ := assertionKeyFile(t, "k1")
	const id = "jwt-app"
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, Clients: []oauth2test.Client{
		{ID: id, AuthMethod: oauth2test.AuthMethodPrivateKeyJWT, PublicKey: key.Public(), AnyLoopbackRedirect: true},
	}})
	t.Cleanup(srv.Close)

	t.Run("python store", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "multiprocess.json")
		if err := os.WriteFile(path, []byte(`{"file_version": 2, "credentials": {}}`), 0o600); err != nil {
			t.Fatal(err)
		}
		before := srv.Requests(oauth2test.PathAuthorize)
		code, _, errOut := runCLI(t, t.Context(), "login", "--no-browser", "--issuer", srv.URL, "--client-id", id, "--client-assertion-key", keyFile, "--store", "file:"+path)
		if srv.Requests(oauth2test.PathAuthorize) != before {
			t.Error("login sent the user to the authorization page first")
		}
		if code != exitFailure || !strings.Contains(errOut, "extension fields") || !strings.Contains(errOut, "--client-assertion-key needs a store") {
			t.Errorf("login into a Python store: exit %d, stderr:\n%s", code, errOut)
		}
	})
	t.Run("key file gone", func(t *testing.T) {
		moved := filepath.Join(t.TempDir(), "key.jwk")
		data, err := os.ReadFile(keyFile)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(moved, data, 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "creds.json")
		flags := []string{"--issuer", srv.URL, "--client-id", id, "--store", "file:" + path}
		loginNoBrowser(t, append([]string{"--client-assertion-key", moved}, flags...))
		if err := os.Remove(moved); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runCLI(t, t.Context(), append([]string{"info", "--offline"}, flags...)...)
		if code != exitFailure || !strings.Contains(errOut, moved) || !strings.Contains(errOut, "give --client-assertion-key") {
			t.Errorf("info with the key file gone: exit %d, stderr %q", code, errOut)
		}
		runOK(t, append([]string{"info", "--offline", "--client-assertion-key", keyFile}, flags...)...)
	})
}

func TestClientAssertionKeyUsage(t *testing.T) {
	_, keyFile, _ := assertionKeyFile(t, "k1")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"info", "--client-assertion-kid", "k"}, "--client-assertion-kid needs --client-assertion-key"},
		{[]string{"login", "--issuer", "http://127.0.0.1:9", "--client-id", "c", "--client-secret", "s", "--client-assertion-key", keyFile}, "excludes --client-secret"},
		{[]string{"token", "--credentials", keyFile, "--service-account-email", "a@b", "--client-assertion-key", keyFile}, "excludes --service-account-email"},
		{[]string{"token", "--grant", "token-exchange", "--client-assertion-key", keyFile}, "client-credentials only"},
	} {
		t.Run(strings.Join(tt.args[:2], " "), func(t *testing.T) {
			code, _, errOut := runCLI(t, t.Context(), tt.args...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want a usage error with %q", code, errOut, tt.want)
			}
		})
	}
}
