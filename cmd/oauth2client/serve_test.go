package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client/internal/syncbuf"
)

// startServe runs serve with args in-process and returns its issuer URL
// and a function that stops it and returns its exit code and stderr.
func startServe(t *testing.T, args ...string) (string, func() (int, string)) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	var stderr syncbuf.Buffer
	done := make(chan int, 1)
	go func() {
		code := run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), pw, &stderr)
		pw.Close()
		done <- code
	}()
	stop := sync.OnceValues(func() (int, string) {
		cancel()
		code := <-done
		return code, stderr.String()
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		code, errOut := stop()
		t.Fatalf("reading the issuer URL: %v; exit %d, stderr %s", err, code, errOut)
	}
	go io.Copy(io.Discard, pr) // nothing more is expected; never block the writer
	t.Cleanup(func() { stop() })
	return strings.TrimSuffix(line, "\n"), stop
}

func getBody(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestServe(t *testing.T) {
	cs := filepath.Join(t.TempDir(), "cs.json")
	issuer, stop := startServe(t, "--addr", "127.0.0.1:0", "--auto-approve", "--token-ttl", "90s",
		"--rotate-refresh-tokens", "--client-secrets-out", cs)
	if !strings.HasPrefix(issuer, "http://127.0.0.1:") {
		t.Fatalf("issuer %q", issuer)
	}

	status, body := getBody(t, issuer+"/.well-known/openid-configuration")
	var disc map[string]any
	if err := json.Unmarshal([]byte(body), &disc); status != 200 || err != nil {
		t.Fatalf("discovery: %d %v %s", status, err, body)
	}
	for _, k := range []string{"authorization_endpoint", "token_endpoint", "jwks_uri", "revocation_endpoint",
		"introspection_endpoint", "userinfo_endpoint"} {
		if v, _ := disc[k].(string); !strings.HasPrefix(v, issuer+"/") {
			t.Errorf("%s = %v", k, disc[k])
		}
	}
	if disc["issuer"] != issuer {
		t.Errorf("issuer %v", disc["issuer"])
	}

	// The written client works, with the written secret.
	fi, err := os.Stat(cs)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("client secrets mode %v", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(cs)
	var secrets struct {
		Installed struct {
			ClientID     string   `json:"client_id"`
			ClientSecret string   `json:"client_secret"`
			TokenURI     string   `json:"token_uri"`
			AuthURI      string   `json:"auth_uri"`
			Issuer       string   `json:"issuer"`
			RedirectURIs []string `json:"redirect_uris"`
		} `json:"installed"`
	}
	if err := json.Unmarshal(raw, &secrets); err != nil {
		t.Fatal(err)
	}
	in := secrets.Installed
	if in.ClientID != serveClientID || len(in.ClientSecret) < 16 || in.TokenURI != issuer+"/token" || in.Issuer != issuer || len(in.RedirectURIs) == 0 {
		t.Fatalf("client secrets %+v", in)
	}
	req, _ := http.NewRequest(http.MethodPost, in.TokenURI, strings.NewReader("grant_type=client_credentials"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(in.ClientID, in.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("client_credentials with the written secret: %d", resp.StatusCode)
	}

	// Auto-approve redirects at once to any loopback port and path.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	q := url.Values{"response_type": {"code"}, "client_id": {in.ClientID}, "redirect_uri": {"http://127.0.0.1:5555/any/path"}, "state": {"s"}}
	resp, err = noFollow.Get(in.AuthURI + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "http://127.0.0.1:5555/any/path?code=") {
		t.Errorf("authorize: %d, Location %q", resp.StatusCode, loc)
	}

	status, body = getBody(t, issuer+"/metrics")
	if status != 200 || !strings.Contains(body, `oauth2test_token_requests_total{grant_type="client_credentials"} 1`) {
		t.Errorf("metrics: %d\n%s", status, body)
	}

	code, errOut := stop()
	if code != 0 {
		t.Errorf("exit %d, stderr %s", code, errOut)
	}
	if !strings.Contains(errOut, "oauth2test: serving "+issuer) || strings.Contains(errOut, in.ClientSecret) {
		t.Errorf("stderr %q", errOut)
	}
	if _, err := http.Get(issuer + "/metrics"); err == nil {
		t.Error("server still answering after cancel")
	}
}

func TestServeListenFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, out, errOut := runCLI(t, t.Context(), "serve", "--addr", ln.Addr().String())
	if code != exitFailure || out != "" || !strings.Contains(errOut, "oauth2client serve: listen on") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestServeClientSecretsUnwritable(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, t.Context(), "serve", "--addr", "127.0.0.1:0",
		"--client-secrets-out", filepath.Join(dir, "missing", "cs.json"))
	if code != exitFailure || !strings.Contains(errOut, "write client secrets") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
