package oauth2client_test

import (
	"crypto/ed25519"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

// TestOIDCProviderDPoP (issue 11): against oidc-provider's DPoP feature,
// with its public client (ES256 and EdDSA keys) and with a client whose
// proofs need the provider's nonce: the code flow with DPoP: Auto (the discovery lists the
// algorithms) and dpop_jkt; the credentials stored in SQLite; two
// refreshes, each from credentials read back from a newly opened store (a
// "process restart"), rotating the DPoP-bound refresh token; userinfo
// with the bound token, through UserInfo and through the Transport; the
// token refused as a bearer token.
func TestOIDCProviderDPoP(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	if !slices.Contains(endpoint.DPoPSigningAlgs, "ES256") {
		t.Fatalf("discovery: dpop_signing_alg_values_supported = %q, want ES256 among them", endpoint.DPoPSigningAlgs)
	}
	if _, err := oauth2client.NewFlow(oauth2client.Config{ClientID: p.Public.ID, Endpoint: *endpoint,
		DPoP: oauth2client.DPoPOptions{Mode: oauth2client.DPoPOn, Algs: []string{"RS256"}}}); err == nil {
		t.Error("NewFlow with DPoP RS256, which the provider does not list: no error")
	}
	for _, tc := range []struct {
		client oidcprovidertest.Client
		algs   []string
	}{
		{p.Public, nil}, {p.DPoPNonce, nil}, {p.Public, []string{"EdDSA"}},
	} {
		client := tc.client
		t.Run(client.ID+"/"+strings.Join(tc.algs, ","), func(t *testing.T) {
			ctx := t.Context()
			var challenges atomic.Int64 // answers asking for a DPoP nonce
			hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				resp, err := http.DefaultTransport.RoundTrip(r)
				if err == nil && resp.StatusCode >= 400 && resp.Header.Get("DPoP-Nonce") != "" {
					challenges.Add(1)
				}
				return resp, err
			})}
			flow, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID: client.ID, Endpoint: *endpoint, HTTPClient: hc,
				RedirectURL: "http://127.0.0.1:53682/callback",
				Scopes:      []string{"openid", "email", "offline_access"},
				DPoP:        oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto, Algs: tc.algs, BindCode: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			prover, ok := flow.Config().ProofBinder.(*dpop.Prover)
			if !ok {
				t.Fatal("DPoP: Auto made no prover though discovery lists DPoP algorithms")
			}
			if _, ed := prover.Key().(ed25519.PrivateKey); ed != slices.Contains(tc.algs, "EdDSA") {
				t.Fatalf("key %T for algorithms %q", prover.Key(), tc.algs)
			}
			authURL, err := flow.AuthCodeURL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			creds, _ := loginExchange(t, flow, authURL, "alice")
			if n := challenges.Load(); (n > 0) != (client.ID == p.DPoPNonce.ID) {
				t.Errorf("%d nonce challenges at the code exchange", n)
			}
			tok := creds.CurrentToken()
			if tok.TokenType != "DPoP" || tok.RefreshToken == "" {
				t.Fatalf("token type %q, refresh token %t; want DPoP and one", tok.TokenType, tok.RefreshToken != "")
			}

			db := filepath.Join(t.TempDir(), "creds.db")
			open := func() store.Store {
				s, err := sqlite.Open(ctx, db, nil)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				return s
			}
			if err := open().Save(ctx, "alice", creds.State()); err != nil {
				t.Fatal(err)
			}
			rt := tok.RefreshToken
			var last *oauth2client.Credentials
			for i := range 2 {
				c, err := store.Bind(ctx, open(), "alice", &store.BindOptions{HTTPClient: hc})
				if err != nil {
					t.Fatalf("restart %d: %v", i, err)
				}
				if got := c.Config().ProofBinder.(*dpop.Prover).JKT(); got != prover.JKT() {
					t.Fatalf("restart %d: the key read back is not the login's", i)
				}
				next, err := c.Refresh(ctx)
				if err != nil {
					t.Fatalf("refresh %d after a restart: %v", i, err)
				}
				if next.TokenType != "DPoP" || next.RefreshToken == rt {
					t.Fatalf("refresh %d: type %q, rotated %t", i, next.TokenType, next.RefreshToken != rt)
				}
				rt, last = next.RefreshToken, c
			}

			if client.ID == p.DPoPNonce.ID && challenges.Load() < 3 {
				t.Errorf("%d nonce challenges after two restarts, want one per process", challenges.Load())
			}
			cfg := last.Config()
			cfg.UserInfoURI = endpoint.UserInfoURL
			claims, err := last.WithConfig(cfg).UserInfo(ctx)
			if err != nil || claims["sub"] != "alice" {
				t.Fatalf("UserInfo with the bound token: %v, %v", claims, err)
			}
			checkUserInfo(t, last, endpoint.UserInfoURL, "alice")
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, endpoint.UserInfoURL, nil)
			req.Header.Set("Authorization", "Bearer "+last.CurrentToken().AccessToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("the DPoP-bound token as a bearer token: HTTP %d, want 401", resp.StatusCode)
			}
		})
	}
}
