package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
)

// NewDPoPServer starts an oauth2test server with opts and AutoApprove, for
// the lifetime of t, with a public client "app" accepting any loopback
// redirect: the server [DPoPCredentials] wants.
func NewDPoPServer(t testing.TB, opts oauth2test.Options) *oauth2test.Server {
	t.Helper()
	opts.AutoApprove = true
	srv := oauth2test.NewServer(&opts)
	t.Cleanup(srv.Close)
	if err := srv.RegisterClient(oauth2test.Client{ID: "app", AnyLoopbackRedirect: true}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// DPoPCredentials returns DPoP-bound credentials (with a refresh token)
// from a code flow against srv (see [NewDPoPServer]), with DPoP: Auto and
// the code bound to the key (dpop_jkt).
func DPoPCredentials(t testing.TB, srv *oauth2test.Server) *oauth2client.Credentials {
	t.Helper()
	ctx := context.Background()
	ep, err := oauth2client.Discover(ctx, srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "app", Endpoint: *ep, RedirectURL: "http://127.0.0.1:8080/cb",
		Scopes: []string{"openid", "offline_access"},
		DPoP:   oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto, BindCode: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	st, err := flow.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := browser.Get(st.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := flow.Resume(st)
	if err != nil {
		t.Fatal(err)
	}
	c, err := resumed.ExchangeCallback(ctx, loc.Query())
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if typ := c.CurrentToken().TokenType; typ != dpop.TokenType {
		t.Fatalf("token type %q, want DPoP", typ)
	}
	return c
}

// CheckDPoP checks that s keeps the DPoP key of bound credentials with
// them (package dpop, Extension): credentials bound to the entry again
// (as after a restart, or in another process) refresh twice with proofs
// by the key, rotating their DPoP-bound refresh tokens, and call an API
// with proofs; an entry whose key is missing or corrupt is an error
// naming the entry. For stores whose format has room for extension
// fields.
func CheckDPoP(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	srv := NewDPoPServer(t, oauth2test.Options{DPoPNonce: true, RotateRefreshTokens: true})
	c := DPoPCredentials(t, srv)
	jkt := c.Config().ProofBinder.(*dpop.Prover).JKT()
	if err := s.Save(ctx, "dpop", c.State()); err != nil {
		t.Fatal(err)
	}
	prevRT := c.CurrentToken().RefreshToken
	for i := range 2 { // two "processes", each from the stored entry
		b, err := store.Bind(ctx, s, "dpop", nil)
		if err != nil {
			t.Fatalf("Bind %d: %v", i, err)
		}
		if p, ok := b.Config().ProofBinder.(*dpop.Prover); !ok || p.JKT() != jkt {
			t.Fatalf("Bind %d: ProofBinder %T is not the stored key", i, b.Config().ProofBinder)
		}
		tok, err := b.Refresh(ctx)
		if err != nil {
			t.Fatalf("refresh %d from the stored entry: %v", i, err)
		}
		if tok.TokenType != dpop.TokenType || tok.RefreshToken == prevRT {
			t.Fatalf("refresh %d: type %q, rotated refresh token %v", i, tok.TokenType, tok.RefreshToken != prevRT)
		}
		prevRT = tok.RefreshToken
		resp, err := b.Client(nil).Get(srv.URL + oauth2test.PathCalendarList)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("API call %d with the stored key: status %d", i, resp.StatusCode)
		}
	}
	if got, err := s.Load(ctx, "dpop"); err != nil || got.Token.RefreshToken != prevRT {
		t.Fatalf("stored refresh token is not the last rotated one (err %v)", err)
	}

	for _, tc := range []struct {
		name string
		ext  json.RawMessage // nil: removed
	}{
		{"missing", nil},
		{"not an object", json.RawMessage(`"x"`)},
		{"no jwk", json.RawMessage(`{"jkt":"` + jkt + `"}`)},
		{"public key only", json.RawMessage(`{"jkt":"` + jkt + `","jwk":{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}}`)},
		{"other key", otherKey(t)},
	} {
		err := s.Update(ctx, "dpop", func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
			if tc.ext == nil {
				delete(cur.Extensions, dpop.Extension)
			} else {
				cur.Extensions = map[string]json.RawMessage{dpop.Extension: tc.ext}
			}
			return cur, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = store.Bind(ctx, s, "dpop", nil)
		if !errors.Is(err, oauth2client.ErrNoProofKey) || !strings.Contains(err.Error(), `"dpop"`) {
			t.Errorf("%s key: Bind = %v; want ErrNoProofKey naming the entry", tc.name, err)
		}
		if err != nil && strings.Contains(err.Error(), `"d"`) {
			t.Errorf("%s key: the error quotes key material: %v", tc.name, err)
		}
		st, err := s.Load(ctx, "dpop")
		if err != nil {
			t.Fatal(err)
		}
		before := srv.Requests(oauth2test.PathToken)
		if _, err := st.Credentials(oauth2client.CredentialsConfig{}).Refresh(ctx); !errors.Is(err, oauth2client.ErrNoProofKey) {
			t.Errorf("%s key: Refresh = %v; want ErrNoProofKey", tc.name, err)
		}
		if srv.Requests(oauth2test.PathToken) != before {
			t.Errorf("%s key: a refresh was sent without the key", tc.name)
		}
	}
}

// otherKey returns the stored form of a new key, under the thumbprint of
// another.
func otherKey(t testing.TB) json.RawMessage {
	t.Helper()
	a, _ := dpop.NewProver(nil, nil)
	b, _ := dpop.NewProver(nil, nil)
	c := oauth2client.NewCredentials(oauth2client.CredentialsConfig{ProofBinder: a}, nil)
	var v struct {
		JWK json.RawMessage `json:"jwk"`
	}
	if err := json.Unmarshal(c.State().Extensions[dpop.Extension], &v); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"jkt": b.JKT(), "jwk": v.JWK})
	return raw
}
