package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// writeSecretsWith writes tc's client secrets with "issuer" set to issuer
// and, when tokenURI is not empty, "token_uri" to tokenURI; it returns the
// path.
func writeSecretsWith(t *testing.T, tc *testClient, issuer, tokenURI string) string {
	t.Helper()
	data, err := tc.srv.ClientSecretsJSON(tc.id)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	doc["installed"]["issuer"] = issuer
	if tokenURI != "" {
		doc["installed"]["token_uri"] = tokenURI
	}
	data, _ = json.Marshal(doc)
	path := filepath.Join(t.TempDir(), "cs.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// forgingProxy is a reverse proxy to target that replaces the "sub" of
// the ID tokens in its answers, keeping their signature.
func forgingProxy(t *testing.T, target string) *httptest.Server {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var m map[string]any
		if json.Unmarshal(body, &m) == nil {
			if id, ok := m["id_token"].(string); ok {
				parts := strings.Split(id, ".")
				payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
				var claims map[string]any
				_ = json.Unmarshal(payload, &claims)
				claims["sub"] = "mallory"
				payload, _ = json.Marshal(claims)
				parts[1] = base64.RawURLEncoding.EncodeToString(payload)
				m["id_token"] = strings.Join(parts, ".")
				body, _ = json.Marshal(m)
			}
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	p := httptest.NewServer(rp)
	t.Cleanup(p.Close)
	return p
}

// TestLoginVerifiesIDToken (issue 8 item 4): with an issuer in the client
// secrets (as 'serve --client-secrets-out' writes), login discovers its
// keys and verifies the ID token, and info says so; a forged ID token in
// the exchange's answer fails the login.
func TestLoginVerifiesIDToken(t *testing.T) {
	tc := newTestServer(t, nil)
	cs := writeSecretsWith(t, tc, tc.srv.Issuer(), "")
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--client-secrets", cs, "--scope", "openid", "--store", "file:" + path}

	msg := loginNoBrowser(t, flags)
	if !strings.Contains(msg, "ID token: subject "+oauth2test.DefaultUser) || !strings.Contains(msg, ": verified.") {
		t.Errorf("login does not say the ID token was verified:\n%s", msg)
	}
	info := runOK(t, append([]string{"info"}, flags...)...)
	if !strings.Contains(info, "id token:       subject "+oauth2test.DefaultUser) || !strings.Contains(info, ": verified\n") {
		t.Errorf("info does not say the ID token verifies:\n%s", info)
	}
	offline := runOK(t, append([]string{"info", "--offline"}, flags...)...)
	if !strings.Contains(offline, "NOT verified") {
		t.Errorf("info --offline claims a verification it did not make:\n%s", offline)
	}

	proxy := forgingProxy(t, tc.srv.URL)
	forged := writeSecretsWith(t, tc, tc.srv.Issuer(), proxy.URL+oauth2test.PathToken)
	l := startLogin(t, "--no-browser", "--client-secrets", forged, "--scope", "openid", "--store", "file:"+filepath.Join(t.TempDir(), "c.json"))
	curl(t, l.waitLine(t, isURLLine))
	if code := <-l.done; code != exitFailure || !strings.Contains(l.err.String(), "bad signature") {
		t.Errorf("login with a forged ID token: exit %d, stderr:\n%s", code, l.err.String())
	}
}
