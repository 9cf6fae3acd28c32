package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

// Issue 11, mutual TLS against oidc-provider with the CLI, each command
// its own process: login --client-cert --client-key (tls_client_auth for
// the CA-issued certificate, self_signed_tls_client_auth for the
// self-signed one) stores the credentials in SQLite; request calls
// userinfo at its mTLS alias with the certificate-bound token; after the
// stored token expires, a new process refreshes (the certificate found
// from the stored paths) and calls userinfo again; token --format json
// shows the binding.
func TestEndToEndOIDCProviderMTLS(t *testing.T) {
	p := oidcprovidertest.StartMTLS(t)
	ep := p.Endpoint(t)
	userinfo := ep.MTLSEndpointAliases["userinfo_endpoint"]
	if userinfo == "" {
		t.Fatalf("no userinfo alias in %v", ep.MTLSEndpointAliases)
	}
	db := filepath.Join(t.TempDir(), "creds.db")
	env := []string{"SSL_CERT_FILE=" + filepath.Join(p.Dir, "server.crt")}
	for _, tt := range []struct {
		client oidcprovidertest.Client
		file   string
	}{{p.PKI, "pki"}, {p.SelfSigned, "self"}} {
		t.Run(tt.client.AuthMethod, func(t *testing.T) {
			flags := []string{"--issuer", p.Issuer, "--client-id", tt.client.ID, "--scope", "openid email offline_access",
				"--store", "sqlite:" + db, "--key", tt.client.ID}
			certFile := filepath.Join(p.Dir, tt.file+".crt")
			loginProcess(t, env, append([]string{"--no-browser", "--redirect-uri", oidcprovidertest.RedirectURI,
				"--client-cert", certFile, "--client-key", filepath.Join(p.Dir, tt.file+".key")}, flags...), func(authURL string) {
				cb, err := oidcprovidertest.Login(t.Context(), nil, authURL, "alice")
				if err != nil {
					t.Fatal(err)
				}
				if status := curl(t, cb.String()); status != 200 {
					t.Errorf("the loopback server answered HTTP %d", status)
				}
			})
			cli := func(args ...string) string {
				t.Helper()
				out, err := cliProcess(t, env, append(args, flags...)...)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			if out := cli("request", userinfo); !strings.Contains(out, `"sub":"alice"`) {
				t.Errorf("userinfo: %s", out)
			}
			before := storedAccessToken(t, db, tt.client.ID)
			expireSQLite(t, db, tt.client.ID)
			if out := cli("request", userinfo); !strings.Contains(out, `"sub":"alice"`) {
				t.Errorf("userinfo after a refresh in a new process: %s", out)
			}
			if after := storedAccessToken(t, db, tt.client.ID); after == before {
				t.Error("the refreshed token was not stored")
			}
			var tok tokenJSON
			if err := json.Unmarshal([]byte(cli("token", "--format", "json")), &tok); err != nil {
				t.Fatal(err)
			}
			cert, err := clientauth.LoadX509KeyPair(certFile, filepath.Join(p.Dir, tt.file+".key"))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Binding != "x5t#S256" || tok.Cnf["x5t#S256"] != clientauth.Thumbprint(cert.Leaf) {
				t.Errorf("token --format json: binding %q %q", tok.Binding, tok.Cnf["x5t#S256"])
			}
		})
	}
}

// storedAccessToken returns the access token stored under key in the
// SQLite store at path.
func storedAccessToken(t *testing.T, path, key string) string {
	t.Helper()
	s, err := sqlite.Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, err := s.Load(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return c.Token.AccessToken
}
