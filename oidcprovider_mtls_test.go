package oauth2client_test

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

// Issue 11, mutual TLS against oidc-provider (its mTLS feature behind an
// HTTPS listener asking for client certificates): the code flow with
// tls_client_auth and with self_signed_tls_client_auth through the
// discovered mtls_endpoint_aliases, userinfo with the certificate-bound
// token (refused without the certificate), then the credentials saved in
// SQLite and bound again as after a restart: the certificate is found from
// the stored reference, and they refresh and call userinfo.
func TestOIDCProviderMTLS(t *testing.T) {
	p := oidcprovidertest.StartMTLS(t)
	ctx := t.Context()
	endpoint := p.Endpoint(t)
	if !endpoint.CertificateBoundTokens || !strings.HasPrefix(endpoint.MTLSEndpointAliases["token_endpoint"], p.MTLSURL) {
		t.Fatalf("discovery: bound tokens %v, aliases %v", endpoint.CertificateBoundTokens, endpoint.MTLSEndpointAliases)
	}
	tests := []struct {
		name   string
		client oidcprovidertest.Client
		file   string // the certificate's files in p.Dir
	}{
		{"tls_client_auth", p.PKI, "pki"},
		{"self_signed_tls_client_auth", p.SelfSigned, "self"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			auth, err := clientauth.LoadTLSClientAuth(filepath.Join(p.Dir, tt.file+".crt"), filepath.Join(p.Dir, tt.file+".key"), tt.client.AuthMethod == clientauth.MethodSelfSignedTLSClient)
			if err != nil {
				t.Fatal(err)
			}
			flow, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID: tt.client.ID, Endpoint: *endpoint, ClientAuth: auth, HTTPClient: p.HTTPClient(),
				RedirectURL: "http://127.0.0.1:53682/callback",
				Scopes:      []string{"openid", "email", "offline_access"},
			})
			if err != nil {
				t.Fatal(err)
			}
			authURL, err := flow.AuthCodeURL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			creds, _ := loginExchange(t, flow, authURL, "alice")
			tok := creds.CurrentToken()
			if tok.RefreshToken == "" {
				t.Fatal("no refresh token")
			}
			if info, err := creds.UserInfo(ctx); err != nil || info["sub"] != "alice" {
				t.Fatalf("userinfo with the bound token: %v, %v", info, err)
			}
			// The same token from a connection without the certificate.
			bare := &oauth2client.Transport{Source: oauth2client.StaticTokenSource(tok), Base: p.HTTPClient().Transport}
			if got := status(t, bare, endpoint.MTLSEndpointAliases["userinfo_endpoint"]); got != http.StatusUnauthorized {
				t.Errorf("bound token without its certificate: %d, want 401", got)
			}

			s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "creds.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			if err := s.Save(ctx, "k", creds.State()); err != nil {
				t.Fatal(err)
			}
			// A new process: only the store and the HTTP client.
			st, err := s.Load(ctx, "k")
			if err != nil {
				t.Fatal(err)
			}
			restored, err := clientauth.RestoreTLSClientAuth(st)
			if err != nil || restored == nil {
				t.Fatalf("restore the certificate: %v, %v", restored, err)
			}
			again, err := store.Bind(ctx, s, "k", &store.BindOptions{ClientAuth: restored, HTTPClient: p.HTTPClient()})
			if err != nil {
				t.Fatal(err)
			}
			again = again.WithConfig(withUserInfo(again.Config(), endpoint.MTLSEndpointAliases["userinfo_endpoint"]))
			refreshed, err := again.Refresh(ctx)
			if err != nil {
				t.Fatalf("refresh after the restart: %v", err)
			}
			if refreshed.AccessToken == tok.AccessToken {
				t.Error("refresh returned the same access token")
			}
			if info, err := again.UserInfo(ctx); err != nil || info["sub"] != "alice" {
				t.Fatalf("userinfo after the restart: %v, %v", info, err)
			}
		})
	}
}

// withUserInfo returns cfg with its UserInfoURI, which stores do not keep.
func withUserInfo(cfg oauth2client.CredentialsConfig, u string) oauth2client.CredentialsConfig {
	cfg.UserInfoURI = u
	return cfg
}
