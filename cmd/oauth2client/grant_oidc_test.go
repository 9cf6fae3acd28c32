package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// TestGrantClientCredentialsOIDCProvider runs token --grant
// client-credentials against oidc-provider with private_key_jwt (the
// client's private JWK in a file) and with a client secret.
func TestGrantClientCredentialsOIDCProvider(t *testing.T) {
	p := oidcprovidertest.Start(t)
	jwk := filepath.Join(t.TempDir(), "client.jwk")
	if err := os.WriteFile(jwk, []byte(p.KeyJWT.PrivateJWK), 0o600); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secret, []byte(p.Post.Secret), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"private_key_jwt", []string{"--client-id", p.KeyJWT.ID, "--client-assertion-key", jwk}},
		{"client_secret_post", []string{"--client-id", p.Post.ID, "--client-secret-file", secret}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"token", "--grant", "client-credentials", "--issuer", p.Issuer, "--format", "header"}, tt.args...)
			code, out, errOut := runCLI(t, t.Context(), args...)
			if code != exitOK || !strings.HasPrefix(out, "Authorization: Bearer ") {
				t.Fatalf("exit %d, stdout %q, stderr %s", code, out, errOut)
			}
		})
	}
}
