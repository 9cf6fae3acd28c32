package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/serviceaccount"
	"software.sslmate.com/src/go-pkcs12"
)

// p12Of writes the key of the JSON key file sa as a P12 file, as Google
// issued them (legacy encryption), with password, and returns its path.
func p12Of(t *testing.T, sa, password string) string {
	t.Helper()
	key, err := serviceaccount.ReadJSONKeyFile(sa)
	if err != nil {
		t.Fatal(err)
	}
	priv := key.Signer().(*rsa.PrivateKey)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: key.Email()},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	data, err := pkcs12.LegacyRC2.Encode(priv, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.p12")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestP12EndToEnd: the key of 'serve --service-account-out' as a P12 file:
// token --credentials key.p12 --service-account-email EMAIL --token-uri
// prints a token after one jwt-bearer request; a wrong password, a missing
// email and a missing --credentials are clear errors.
func TestP12EndToEnd(t *testing.T) {
	sa := filepath.Join(t.TempDir(), "sa.json")
	issuer, _ := startServe(t, "--addr", "127.0.0.1:0", "--service-account-out", sa)
	p12 := p12Of(t, sa, serviceaccount.DefaultP12Password)
	tokenURI := issuer + oauth2test.PathToken

	code, out, errOut := runCLI(t, t.Context(), "token", "--credentials", p12, "--service-account-email", serveServiceAccount,
		"--token-uri", tokenURI, "--scope", "openid")
	tok := strings.TrimSpace(out)
	if code != exitOK || tok == "" {
		t.Fatalf("token with a P12 key: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if _, body := getBody(t, issuer+oauth2test.PathTokenInfo+"?access_token="+url.QueryEscape(tok)); !strings.Contains(body, `"sub":"`+serveServiceAccount+`"`) {
		t.Errorf("tokeninfo of the P12 key's token: %s", body)
	}
	if n := jwtBearerCount(t, issuer); n != "1" {
		t.Errorf("/metrics counts %s jwt-bearer requests, want 1", n)
	}

	other := p12Of(t, sa, "s3cret")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"wrong password", []string{"--credentials", other, "--service-account-email", serveServiceAccount, "--token-uri", tokenURI}, exitFailure, "password"},
		{"no email", []string{"--credentials", p12}, exitUsage, "--service-account-email"},
		{"email without a key", []string{"--service-account-email", serveServiceAccount}, exitUsage, "needs --credentials"},
		{"token URI without a P12 key", []string{"--credentials", sa, "--token-uri", tokenURI}, exitUsage, "--token-uri needs"},
	} {
		code, _, errOut := runCLI(t, t.Context(), append([]string{"token"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr %q; want %d and %q", tc.name, code, errOut, tc.code, tc.want)
		}
	}
}
