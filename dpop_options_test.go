package oauth2client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store/storetest"
)

// Issue 11: Config.DPoP chooses whether to bind and with which
// algorithm, from what the caller prefers and what the server lists.
func TestDPoPOptions(t *testing.T) {
	t.Parallel()
	ep := oauth2client.Endpoint{AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"}
	for _, tc := range []struct {
		name    string
		opts    oauth2client.DPoPOptions
		server  []string
		want    string // key kind: "EC", "RSA", "OKP"; "" for none
		wantErr string
	}{
		{name: "off", opts: oauth2client.DPoPOptions{}, server: []string{"ES256"}},
		{name: "auto, server silent", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto}},
		{name: "auto, server lists ES256", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto}, server: []string{"RS256", "ES256"}, want: "EC"},
		{name: "auto, server lists RS256 only", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto}, server: []string{"RS256", "PS256"}, want: "RSA"},
		{name: "on, server silent", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPOn}, want: "EC"},
		{name: "on, prefers EdDSA", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPOn, Algs: []string{"EdDSA", "ES256"}}, server: []string{"ES256", "EdDSA"}, want: "OKP"},
		{name: "on, prefers EdDSA, server lacks it", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPOn, Algs: []string{"EdDSA", "ES256"}}, server: []string{"ES256"}, want: "EC"},
		{name: "no common alg", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto, Algs: []string{"EdDSA"}}, server: []string{"PS256"}, wantErr: "none of"},
		{name: "unknown alg", opts: oauth2client.DPoPOptions{Mode: oauth2client.DPoPOn, Algs: []string{"HS256"}}, wantErr: "HS256"},
		{name: "bind code without key", opts: oauth2client.DPoPOptions{BindCode: true}, wantErr: "BindCode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := ep
			e.DPoPSigningAlgs = tc.server
			flow, err := oauth2client.NewFlow(oauth2client.Config{ClientID: "app", Endpoint: e, DPoP: tc.opts})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("NewFlow = %v; want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			pb := flow.Config().ProofBinder
			got := ""
			if p, ok := pb.(*dpop.Prover); ok {
				switch p.Key().(type) {
				case *ecdsa.PrivateKey:
					got = "EC"
				case *rsa.PrivateKey:
					got = "RSA"
				case ed25519.PrivateKey:
					got = "OKP"
				}
			} else if pb != nil {
				t.Fatalf("ProofBinder %T", pb)
			}
			if got != tc.want {
				t.Errorf("key %q, want %q", got, tc.want)
			}
		})
	}
}

// Issue 11 (RFC 9449 §10): with DPoP.BindCode the authorization request
// carries dpop_jkt, and oauth2test redeems the code only with a proof by
// that key.
func TestDPoPBindCode(t *testing.T) {
	t.Parallel()
	srv := storetest.NewDPoPServer(t, oauth2test.Options{})
	ep, err := oauth2client.Discover(t.Context(), srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ep.DPoPSigningAlgs) == 0 {
		t.Fatal("discovery: no dpop_signing_alg_values_supported")
	}
	newFlow := func(pb oauth2client.ProofBinder) *oauth2client.Flow {
		f, err := oauth2client.NewFlow(oauth2client.Config{ClientID: "app", Endpoint: *ep, RedirectURL: "http://127.0.0.1:8080/cb",
			ProofBinder: pb, DPoP: oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto, BindCode: true}})
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	flow := newFlow(nil)
	prover := flow.Config().ProofBinder.(*dpop.Prover)
	for _, tc := range []struct {
		name string
		with *oauth2client.Flow
		ok   bool
	}{
		{"another key", newFlow(mustProver(t)), false},
		{"the key", flow, true},
	} {
		st, err := flow.Start(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(st.URL)
		if got := u.Query().Get("dpop_jkt"); got != prover.JKT() {
			t.Fatalf("dpop_jkt = %q, want the key's thumbprint", got)
		}
		resumed, err := tc.with.Resume(st)
		if err != nil {
			t.Fatal(err)
		}
		_, err = resumed.ExchangeCallback(t.Context(), authorize(st.URL))
		if tc.ok && err != nil {
			t.Errorf("%s: exchange: %v", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, oauth2client.ErrInvalidGrant) {
			t.Errorf("%s: exchange = %v; want invalid_grant", tc.name, err)
		}
	}
}

func mustProver(t *testing.T) *dpop.Prover {
	t.Helper()
	p, err := dpop.NewProver(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Issue 11: the device flow's polls carry proofs, and its credentials are
// DPoP-bound, with the key kept in their state.
func TestDPoPDeviceFlow(t *testing.T) {
	t.Parallel()
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, DPoPNonce: true, Clients: []oauth2test.Client{{ID: "tv"}}})
	t.Cleanup(srv.Close)
	ep, err := oauth2client.Discover(t.Context(), srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{ClientID: "tv", Endpoint: *ep, Scopes: []string{"openid", "offline_access"},
		DPoP:  oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto},
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	da, err := flow.DeviceAuth(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	creds, err := flow.PollDevice(t.Context(), da)
	if err != nil {
		t.Fatal(err)
	}
	if typ := creds.CurrentToken().TokenType; typ != "DPoP" {
		t.Fatalf("token type %q, want DPoP", typ)
	}
	if _, ok := creds.State().Extensions[dpop.Extension]; !ok {
		t.Error("the credentials' state does not keep the DPoP key")
	}
	if _, err := creds.Refresh(t.Context()); err != nil {
		t.Errorf("refresh: %v", err)
	}
}

// Issue 11: credentials JSON keeps the DPoP key (so a restart refreshes
// with it); a DPoP token whose key is missing or corrupt is refused
// before any request, with ErrNoProofKey.
func TestDPoPKeyInCredentialsJSON(t *testing.T) {
	t.Parallel()
	srv := storetest.NewDPoPServer(t, oauth2test.Options{})
	creds := storetest.DPoPCredentials(t, srv)
	data, err := json.Marshal(creds)
	if err != nil {
		t.Fatal(err)
	}
	again, err := oauth2client.ParseCredentialsJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := again.CheckProofKey(); err != nil {
		t.Fatal(err)
	}
	if _, err := again.Refresh(t.Context()); err != nil {
		t.Fatalf("refresh from JSON: %v", err)
	}
	resp, err := again.Client(nil).Get(srv.URL + oauth2test.PathCalendarList)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("API call from JSON credentials: status %d", resp.StatusCode)
	}

	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	for name, ext := range map[string]any{"missing": nil, "corrupt": map[string]any{"jkt": "x", "jwk": map[string]any{"kty": "EC"}}} {
		if ext == nil {
			delete(raw, "extensions")
		} else {
			raw["extensions"] = map[string]any{"dpop": ext}
		}
		b, _ := json.Marshal(raw)
		c, err := oauth2client.ParseCredentialsJSON(b)
		if err != nil {
			t.Fatal(err)
		}
		before := srv.Requests(oauth2test.PathToken)
		if _, err := c.Refresh(t.Context()); !errors.Is(err, oauth2client.ErrNoProofKey) {
			t.Errorf("%s key: refresh = %v; want ErrNoProofKey", name, err)
		}
		if c.Invalid() {
			t.Errorf("%s key: credentials marked invalid", name)
		}
		if srv.Requests(oauth2test.PathToken) != before {
			t.Errorf("%s key: a token request was sent", name)
		}
	}
}

// Issue 11: UserInfo sends a DPoP-bound token with a proof naming it,
// answering the server's nonce challenge once.
func TestDPoPUserInfo(t *testing.T) {
	t.Parallel()
	srv := storetest.NewDPoPServer(t, oauth2test.Options{DPoPNonce: true})
	creds := storetest.DPoPCredentials(t, srv)
	// Credentials restored from their state: the same key, but no nonce
	// remembered from the token endpoint (the same origin).
	creds = creds.State().Credentials(oauth2client.CredentialsConfig{UserInfoURI: srv.URL + oauth2test.PathUserInfo})
	before := srv.Requests(oauth2test.PathUserInfo)
	claims, err := creds.UserInfo(t.Context())
	if err != nil {
		t.Fatalf("UserInfo: %v", err)
	}
	if claims["sub"] == "" {
		t.Errorf("claims %v", claims)
	}
	if n := srv.Requests(oauth2test.PathUserInfo) - before; n != 2 {
		t.Errorf("%d userinfo requests, want 2 (use_dpop_nonce, then the retry)", n)
	}
}
