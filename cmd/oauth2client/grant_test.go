package main

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// writePEM writes key as a PKCS #8 PEM file and returns its name.
func writePEM(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(name, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestGrantClientCredentialsServe gets client-credentials tokens from
// serve with the client secrets it writes, and with --client-id and a
// secret file.
func TestGrantClientCredentialsServe(t *testing.T) {
	cs := filepath.Join(t.TempDir(), "cs.json")
	issuer, _ := startServe(t, "--addr", "127.0.0.1:0", "--client-secrets-out", cs)
	raw, err := os.ReadFile(cs)
	if err != nil {
		t.Fatal(err)
	}
	var secrets struct {
		Installed struct {
			ClientID     string `json:"client_id"`
			ClientSecret string `json:"client_secret"`
		} `json:"installed"`
	}
	if err := json.Unmarshal(raw, &secrets); err != nil {
		t.Fatal(err)
	}
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(secrets.Installed.ClientSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"--client-secrets", cs, "--scope", "read write"},
		{"--issuer", issuer, "--client-id", secrets.Installed.ClientID, "--client-secret-file", secretFile, "--resource", "https://api.example/"},
		{"--token-uri", issuer + "/token", "--client-id", secrets.Installed.ClientID, "--client-secret-file", secretFile},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, out, errOut := runCLI(t, t.Context(), append([]string{"token", "--grant", "client-credentials", "--format", "json"}, args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var tok tokenJSON
			if err := json.Unmarshal([]byte(out), &tok); err != nil || tok.AccessToken == "" || tok.TokenType != "Bearer" || tok.Expiry == "" {
				t.Fatalf("output %q: %v", out, err)
			}
			if strings.Contains(out+errOut, secrets.Installed.ClientSecret) {
				t.Error("the secret is printed")
			}
		})
	}
	code, _, errOut := runCLI(t, t.Context(), "token", "--grant", "client-credentials", "--issuer", issuer,
		"--client-id", secrets.Installed.ClientID, "--client-secret", "not-the-secret-xyz")
	if code != exitFailure || !strings.Contains(errOut, "invalid_client") || strings.Contains(errOut, "not-the-secret-xyz") {
		t.Errorf("wrong secret: exit %d, %s", code, errOut)
	}
}

// TestGrantClientCredentialsKey authenticates with private_key_jwt from a
// PEM key and from a JWK (its kid), against oauth2test.
func TestGrantClientCredentialsKey(t *testing.T) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s := oauth2test.NewServer(nil)
	t.Cleanup(s.Close)
	if err := s.RegisterClient(oauth2test.Client{ID: "svc", AuthMethod: oauth2test.AuthMethodPrivateKeyJWT, PublicKey: key.Public()}); err != nil {
		t.Fatal(err)
	}
	jwk, err := jose.MarshalPrivateJWK(key, "k1")
	if err != nil {
		t.Fatal(err)
	}
	jwkFile := filepath.Join(t.TempDir(), "key.jwk")
	if err := os.WriteFile(jwkFile, jwk, 0o600); err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"token", "--grant", "client-credentials", "--issuer", s.URL, "--client-id", "svc"}
	for _, tt := range []struct {
		name string
		args []string
		code int
		want string // in stdout, or in stderr on failure
	}{
		{"pem", []string{"--client-assertion-key", writePEM(t, key)}, exitOK, ""},
		{"jwk", []string{"--client-assertion-key", jwkFile, "--scope", "read"}, exitOK, ""},
		{"jwk, kid given", []string{"--client-assertion-key", jwkFile, "--client-assertion-kid", "other"}, exitOK, ""},
		{"wrong key type", []string{"--client-assertion-key", writePEM(t, small)}, exitFailure, "unsupported key: RSA key of 1024 bits"},
		{"kid without key", []string{"--client-assertion-kid", "k"}, exitUsage, "--client-assertion-kid needs --client-assertion-key"},
		{"key and secret", []string{"--client-assertion-key", jwkFile, "--client-secret", "s"}, exitUsage, "excludes"},
		{"no secret", []string{}, exitUsage, "needs a client secret"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(secretEnv, "")
			code, out, errOut := runCLI(t, t.Context(), append(base, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			if code == exitOK && strings.TrimSpace(out) == "" {
				t.Error("no token printed")
			}
			if code != exitOK && !strings.Contains(errOut, tt.want) {
				t.Errorf("stderr %q, want %q", errOut, tt.want)
			}
		})
	}
}

func TestGrantUsage(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--grant", "password", "--client-id", "c"}, `--grant "password"`},
		{[]string{"--grant", "client-credentials"}, "needs --client-id or --client-secrets"},
		{[]string{"--grant", "client-credentials", "--client-id", "c", "--client-secret", "s"}, "needs the token endpoint"},
		{[]string{"--grant", "client-credentials", "--client-id", "c", "--store", "file:x"}, "--grant excludes"},
		{[]string{"--resource", "https://a"}, "need --grant"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errOut := runCLI(t, t.Context(), append([]string{"token"}, tt.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q, want usage error with %q", code, errOut, tt.want)
			}
		})
	}
}
