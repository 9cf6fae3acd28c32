package idtoken

import (
	"bufio"
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const pythonPath = "/usr/bin/python3"

// TestPythonAgrees hands the same ID tokens to Python oauth2client's
// client.verify_id_token (Debian's python3-oauth2client, against the X.509
// certificates it expects, served on 127.0.0.1) and to a Verifier for
// Google's issuer: whatever Python accepts, we accept, except a wrong
// "iss", which Python 4.1.3 never checks; the tokens both should refuse,
// both refuse.
func TestPythonAgrees(t *testing.T) {
	t.Parallel()
	if out, err := exec.Command(pythonPath, "-c", "import oauth2client, httplib2").CombinedOutput(); err != nil {
		msg := "needs Debian's python3-oauth2client run by " + pythonPath + ": " + strings.TrimSpace(string(out))
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	testKeys(t)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idtoken test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, rsaKey.Public(), rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	certs, _ := json.Marshal(map[string]string{"rsa": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(certs) }))
	t.Cleanup(srv.Close)

	now := time.Now()
	claims := func(edit map[string]any) map[string]any {
		c := map[string]any{
			"iss": GoogleIssuer, "sub": "alice", "aud": testClient,
			"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(time.Hour).Unix(),
		}
		for k, v := range edit {
			c[k] = v
		}
		return c
	}
	good := sign(t, rsaKey, "rsa", claims(nil))
	yes := true
	cases := []struct {
		name   string
		tok    string
		accept bool
		// pyAccept, when set, is Python's answer where it differs: Python
		// oauth2client 4.1.3 does not check "iss" at all.
		pyAccept *bool
	}{
		{"valid", good, true, nil},
		{"short issuer", sign(t, rsaKey, "rsa", claims(map[string]any{"iss": "accounts.google.com"})), true, nil},
		{"expired within skew", sign(t, rsaKey, "rsa", claims(map[string]any{"exp": now.Add(-200 * time.Second).Unix(), "iat": now.Add(-time.Hour).Unix()})), true, nil},
		{"expired", sign(t, rsaKey, "rsa", claims(map[string]any{"exp": now.Add(-400 * time.Second).Unix(), "iat": now.Add(-time.Hour).Unix()})), false, nil},
		{"issued in the future", sign(t, rsaKey, "rsa", claims(map[string]any{"iat": now.Add(400 * time.Second).Unix()})), false, nil},
		{"wrong audience", sign(t, rsaKey, "rsa", claims(map[string]any{"aud": "other"})), false, nil},
		{"wrong issuer", sign(t, rsaKey, "rsa", claims(map[string]any{"iss": "https://evil.example"})), false, &yes},
		{"other key", sign(t, otherKey, "rsa", claims(nil)), false, nil},
		{"altered", good[:strings.LastIndex(good, ".")] + ".AAAA", false, nil},
		{"alg none", forge(`{"alg":"none"}`, claims(nil), func(string) []byte { return nil }), false, nil},
	}
	var in bytes.Buffer
	for _, c := range cases {
		in.WriteString(c.tok + "\n")
	}
	cmd := exec.Command(pythonPath, filepath.Join("testdata", "verify_id_token.py"), srv.URL, testClient)
	cmd.Stdin = &in
	cmd.Env = append(os.Environ(), "no_proxy=127.0.0.1", "NO_PROXY=127.0.0.1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.Bytes())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	v, err := New(&Options{Issuer: GoogleIssuer, Audiences: []string{testClient}, Keys: map[string]crypto.PublicKey{"rsa": rsaKey.Public()}})
	if err != nil {
		t.Fatal(err)
	}
	agree := 0
	for _, c := range cases {
		if !sc.Scan() {
			t.Fatalf("python answered %d of %d tokens; stderr %s", agree, len(cases), stderr.Bytes())
		}
		var py struct {
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal(sc.Bytes(), &py); err != nil {
			t.Fatal(err)
		}
		_, ourErr := v.Verify(context.Background(), c.tok)
		pyWant := c.accept
		if c.pyAccept != nil {
			pyWant = *c.pyAccept
		}
		if py.OK != pyWant || (ourErr == nil) != c.accept {
			t.Errorf("%s: python ok=%t (%s), ours err=%v, want accept=%t", c.name, py.OK, py.Error, ourErr, c.accept)
			continue
		}
		agree++
	}
	t.Logf("reliability: %d of %d ID tokens judged as expected by Python oauth2client and idtoken (Python accepts a wrong iss, idtoken refuses it)", agree, len(cases))
}
