package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
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
		body = forgeIDToken(body)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	p := httptest.NewServer(rp)
	t.Cleanup(p.Close)
	return p
}

// forgeIDToken returns the token response body with the "sub" of its ID
// token replaced, the signature kept.
func forgeIDToken(body []byte) []byte {
	var m map[string]any
	if json.Unmarshal(body, &m) != nil {
		return body
	}
	id, ok := m["id_token"].(string)
	if !ok {
		return body
	}
	parts := strings.Split(id, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	claims["sub"] = "mallory"
	payload, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	m["id_token"] = strings.Join(parts, ".")
	out, _ := json.Marshal(m)
	return out
}

// idleListener has the address of a real listener but accepts nothing,
// so that oauth2test takes that address as its URL while another server
// answers there.
type idleListener struct {
	addr net.Addr
	done chan struct{}
	once sync.Once
}

func (l *idleListener) Accept() (net.Conn, error) {
	<-l.done
	return nil, net.ErrClosed
}

func (l *idleListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *idleListener) Addr() net.Addr { return l.addr }

// forgingServer is oauth2test behind a handler that forges the ID tokens
// of token responses while forge is set, at oauth2test's own URL (its
// issuer), with tc's client registered as newTestServer does.
func forgingServer(t *testing.T) (*testClient, *atomic.Bool) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tc := newTestServer(t, &oauth2test.Options{Listener: &idleListener{addr: ln.Addr(), done: make(chan struct{})}})
	forge := new(atomic.Bool)
	inner := tc.srv.Handler()
	hs := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != oauth2test.PathToken || !forge.Load() {
			inner.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		body := forgeIDToken(rec.Body.Bytes())
		maps.Copy(w.Header(), rec.Header())
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body)
	})}
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	return tc, forge
}

// TestRefreshVerifiesIDToken (issue 8 item 4): stored credentials whose
// ID token names the server they refresh with verify the ID token of a
// refresh: token refuses a forged one and accepts the real one; info
// then says it verifies.
func TestRefreshVerifiesIDToken(t *testing.T) {
	tc, forge := forgingServer(t)
	path := filepath.Join(t.TempDir(), "creds.json")
	flags := []string{"--client-secrets", writeSecretsWith(t, tc, tc.srv.Issuer(), ""), "--scope", "openid", "--store", "file:" + path}
	with := func(args ...string) []string { return append(args, flags...) }
	if msg := loginNoBrowser(t, flags); !strings.Contains(msg, ": verified.") {
		t.Fatalf("login:\n%s", msg)
	}
	key := derivedKey(tc.id, "", scopeList{"openid"})

	expireStored(t, path, key)
	forge.Store(true)
	code, out, errOut := runCLI(t, t.Context(), with("token")...)
	if code != exitFailure || !strings.Contains(errOut, "bad signature") || strings.TrimSpace(out) != "" {
		t.Errorf("token after a refresh with a forged ID token: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	forge.Store(false)
	if tok := strings.TrimSpace(runOK(t, with("token")...)); tok == "" {
		t.Error("token after a refresh with the real ID token printed nothing")
	}
	if info := runOK(t, with("info", "--offline")...); !strings.Contains(info, "id token:       subject "+oauth2test.DefaultUser) {
		t.Errorf("info:\n%s", info)
	}
	if info := runOK(t, with("info")...); !strings.Contains(info, ": verified\n") {
		t.Errorf("info does not say the refreshed ID token verifies:\n%s", info)
	}
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
