package serviceaccount

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
)

// The interop tests run Debian's python3-oauth2client (4.1.3) with
// /usr/bin/python3 and testdata/python/sa.py.
const pythonPath = "/usr/bin/python3"

// requirePython fails under CI=true when Python oauth2client is missing,
// and skips otherwise.
func requirePython(t *testing.T) {
	t.Helper()
	out, err := exec.Command(pythonPath, "-c", "import oauth2client.service_account, OpenSSL").CombinedOutput()
	if err == nil {
		return
	}
	msg := "needs Debian's python3-oauth2client and python3-openssl run by " + pythonPath + ": " + strings.TrimSpace(string(out))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// runPython runs sa.py with args and stdin, returning its stdout.
func runPython(t *testing.T, stdin []byte, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(pythonPath, append([]string{filepath.Join("testdata", "python", "sa.py")}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sa.py %s: %v\n%s", args[0], err, stderr.Bytes())
	}
	return out
}

// pyReport is what sa.py read prints.
type pyReport struct {
	Email       string         `json:"email"`
	Scopes      string         `json:"scopes"`
	KeyID       string         `json:"key_id"`
	ClientID    string         `json:"client_id"`
	Kwargs      map[string]any `json:"kwargs"`
	AccessToken string         `json:"access_token"`
	TokenExpiry string         `json:"token_expiry"`
	TokenURI    string         `json:"token_uri"`
	Signature   string         `json:"signature"`
}

// pythonReads writes c and returns what Python's from_json read of it.
func pythonReads(t *testing.T, c *PythonCredentials) ([]byte, pyReport) {
	t.Helper()
	data, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var got pyReport
	if err := json.Unmarshal(runPython(t, data, "read"), &got); err != nil {
		t.Fatal(err)
	}
	return data, got
}

// TestPythonWritesWeRead: from_json_keyfile_dict(...).to_json() by Python,
// read here.
func TestPythonWritesWeRead(t *testing.T) {
	t.Parallel()
	requirePython(t)
	keyFile := filepath.Join(t.TempDir(), "sa.json")
	if err := os.WriteFile(keyFile, keyJSON(t, keyFields(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runPython(t, nil, "write", keyFile, "openid email", "user@example.com")
	c, err := ParsePythonJSON(out)
	if err != nil {
		t.Fatal(err)
	}
	k := c.Key
	if k.Email() != "robot@proj-1.iam.gserviceaccount.com" || k.KeyID() != "kid-1" || k.ClientID() != "1234567890" ||
		c.TokenURI != "https://oauth2.example.com/token" || c.Subject != "user@example.com" ||
		!reflect.DeepEqual(c.Scopes, []string{"openid", "email"}) || c.Token != nil || c.Invalid {
		t.Errorf("read %+v", c)
	}
	if !testRSAKey().PublicKey.Equal(k.Public()) {
		t.Error("the key read is not the key written")
	}
	cfg := c.Config(nil)
	if cfg.Subject != "user@example.com" || cfg.TokenURI != c.TokenURI {
		t.Errorf("Config %+v", cfg)
	}
}

// TestPythonReadsWhatWeWrite: MarshalJSON here, from_json in Python, which
// then signs with the same key.
func TestPythonReadsWhatWeWrite(t *testing.T) {
	t.Parallel()
	requirePython(t)
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	c := &PythonCredentials{
		Key: testKey(t, "https://oauth2.example.com/token"), Scopes: []string{"openid", "email"},
		Subject: "user@example.com", ExtraClaims: map[string]any{"target_audience": "https://a.example.com"},
		TokenURI: "https://oauth2.example.com/token", RevokeURI: "https://oauth2.example.com/revoke",
		Token: &oauth2client.Token{AccessToken: "at-py", Expiry: expiry},
	}
	data, got := pythonReads(t, c)
	want := pyReport{Email: "robot@proj-1.iam.gserviceaccount.com", Scopes: "openid email", KeyID: "kid-1",
		ClientID: "1234567890", Kwargs: map[string]any{"sub": "user@example.com", "target_audience": "https://a.example.com"},
		AccessToken: "at-py", TokenExpiry: "2030-01-02T03:04:05Z", TokenURI: "https://oauth2.example.com/token",
		Signature: got.Signature}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Python read\n%+v, want\n%+v", got, want)
	}
	sig, err := base64.StdEncoding.DecodeString(got.Signature)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte("interop"))
	if err := rsa.VerifyPKCS1v15(&testRSAKey().PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("Python signed with another key: %v", err)
	}

	// And back: what Python reads, we read to the same values.
	back, err := ParsePythonJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if back.Subject != c.Subject || !back.Token.Expiry.Equal(expiry) || back.Token.AccessToken != "at-py" ||
		!reflect.DeepEqual(back.ExtraClaims, c.ExtraClaims) {
		t.Errorf("round trip %+v", back)
	}
}

// TestPythonP12: Python's from_p12_keyfile to_json (the P12 kept as
// base64 with its password) read here, written back, read by Python.
func TestPythonP12(t *testing.T) {
	t.Parallel()
	requirePython(t)
	p12 := filepath.Join(t.TempDir(), "sa.p12")
	if err := os.WriteFile(p12, p12File(t, testRSAKey(), DefaultP12Password), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := ParsePythonJSON(runPython(t, nil, "write-p12", p12, "robot@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	if c.Key.Email() != "robot@example.com" || !testRSAKey().PublicKey.Equal(c.Key.Public()) {
		t.Fatalf("read %q", c.Key.Email())
	}
	if _, got := pythonReads(t, c); got.Email != "robot@example.com" || got.Signature == "" {
		t.Errorf("Python read %+v", got)
	}
}

// TestPythonVerifiesAssertion: an assertion we sign passes
// oauth2client.crypt.verify_signed_jwt_with_certs.
func TestPythonVerifiesAssertion(t *testing.T) {
	t.Parallel()
	requirePython(t)
	k := testKey(t, "https://oauth2.example.com/token")
	a, err := k.Assertion(&Config{Scopes: []string{"openid"}, Subject: "user@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: k.Email()},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k.Signer())
	if err != nil {
		t.Fatal(err)
	}
	certFile := filepath.Join(t.TempDir(), "cert.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(runPython(t, nil, "verify", a, certFile, k.TokenURI()), &payload); err != nil {
		t.Fatal(err)
	}
	if payload["iss"] != k.Email() || payload["sub"] != "user@example.com" || payload["scope"] != "openid" {
		t.Errorf("Python verified %v", payload)
	}

	// A self-signed JWT for an audience verifies too.
	src, err := NewJWTAccessSource(k, &Config{Audience: "https://api.example.com/"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	payload = nil
	if err := json.Unmarshal(runPython(t, nil, "verify", tok.AccessToken, certFile, "https://api.example.com/"), &payload); err != nil {
		t.Fatal(err)
	}
	if payload["iss"] != k.Email() || payload["sub"] != k.Email() {
		t.Errorf("Python verified %v", payload)
	}
}

func TestParsePythonJSONErrors(t *testing.T) {
	t.Parallel()
	valid, err := (&PythonCredentials{Key: testKey(t, "https://oauth2.example.com/token")}).MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	edit := func(f func(map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(valid, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name string
		data []byte
		want error
		text string
	}{
		{"not JSON", []byte("{"), ErrInvalidKey, "not a JSON object"},
		{"other class", edit(func(m map[string]any) { m["_class"] = "OAuth2Credentials" }), ErrWrongType, "OAuth2Credentials"},
		{"no email", edit(func(m map[string]any) { delete(m, "_service_account_email") }), ErrMissingField, "_service_account_email"},
		{"no pem", edit(func(m map[string]any) { delete(m, "_private_key_pkcs8_pem") }), ErrMissingField, "_private_key_pkcs8_pem"},
		{"no kwargs", edit(func(m map[string]any) { delete(m, "_kwargs") }), ErrMissingField, "_kwargs"},
		{"bad pem", edit(func(m map[string]any) { m["_private_key_pkcs8_pem"] = "x" }), ErrInvalidKey, "_private_key_pkcs8_pem"},
		{"bad p12", edit(func(m map[string]any) { m["_private_key_pkcs12"], m["_private_key_password"] = "!!", "p" }), ErrInvalidKey, "_private_key_pkcs12"},
		{"scopes number", edit(func(m map[string]any) { m["_scopes"] = 3 }), ErrInvalidKey, "_scopes"},
		{"sub number", edit(func(m map[string]any) { m["_kwargs"] = map[string]any{"sub": 1} }), ErrInvalidKey, "sub"},
		{"email number", edit(func(m map[string]any) { m["_service_account_email"] = 1 }), ErrInvalidKey, "_service_account_email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParsePythonJSON(tt.data)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Errorf("err = %v, want %v naming %s", err, tt.want, tt.text)
			}
			if err != nil && strings.Contains(err.Error(), "MII") {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
}

func TestPythonCredentialsTokenSource(t *testing.T) {
	t.Parallel()
	srv, n := bearerServer(t, func(_ *http.Request, assertion string) {})
	now := time.Unix(1_800_000_000, 0)
	for _, tt := range []struct {
		name     string
		expiry   time.Time
		want     string
		requests int64
	}{
		{"stored token valid", now.Add(time.Hour), "stored", 0},
		{"stored token expired", now.Add(-time.Minute), "at-1", 1},
	} {
		before := n.Load()
		c := &PythonCredentials{Key: testKey(t, srv.URL), Scopes: []string{"openid"},
			Token: &oauth2client.Token{AccessToken: "stored", Expiry: tt.expiry}}
		src, err := c.TokenSource(&Config{Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := src.Token(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if tok.AccessToken != tt.want || n.Load()-before != tt.requests {
			t.Errorf("%s: token %q after %d requests", tt.name, tok.AccessToken, n.Load()-before)
		}
	}
}

func FuzzParsePythonJSON(f *testing.F) {
	valid, err := (&PythonCredentials{Key: testKey(f, "https://oauth2.example.com/token"), Scopes: []string{"openid"},
		Subject: "a@example.com", Token: &oauth2client.Token{AccessToken: "at", Expiry: time.Unix(1_800_000_000, 0)}}).MarshalJSON()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add([]byte(`{"_class":"ServiceAccountCredentials","_private_key_pkcs12":"AAAA","_private_key_password":"x"}`))
	f.Add([]byte(`{"_class":"_JWTAccessCredentials","_scopes":["a"],"_kwargs":{"sub":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParsePythonJSON(data)
		if (c == nil) == (err == nil) {
			t.Fatalf("credentials %v and error %v", c, err)
		}
		if c == nil {
			return
		}
		out, err := c.MarshalJSON()
		if err != nil {
			t.Fatalf("read but not written: %v", err)
		}
		if _, err := ParsePythonJSON(out); err != nil {
			t.Fatalf("what we wrote does not read back: %v", err)
		}
	})
}
