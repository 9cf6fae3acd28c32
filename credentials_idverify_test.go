package oauth2client_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// forgingTransport rewrites the "sub" of the ID token in token endpoint
// answers while forge is set, keeping the signature: a forged token.
type forgingTransport struct {
	forge atomic.Bool
}

func (f *forgingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err != nil || !f.forge.Load() || !strings.HasSuffix(r.URL.Path, oauth2test.PathToken) {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if json.Unmarshal(body, &m) == nil {
		if id, ok := m["id_token"].(string); ok {
			m["id_token"] = forgeSub(id, "mallory")
			body, _ = json.Marshal(m)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// forgeSub returns jwt with its "sub" replaced and its signature kept.
func forgeSub(jwt, sub string) string {
	parts := strings.Split(jwt, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	_ = json.Unmarshal(payload, &claims)
	claims["sub"] = sub
	payload, _ = json.Marshal(claims)
	parts[1] = base64.RawURLEncoding.EncodeToString(payload)
	return strings.Join(parts, ".")
}

// appServer starts oauth2test with the confidential client "app".
func appServer(t *testing.T) *oauth2test.Server {
	t.Helper()
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true})
	t.Cleanup(srv.Close)
	if err := srv.RegisterClient(oauth2test.Client{ID: "app", Secret: "app-secret", AnyLoopbackRedirect: true}); err != nil {
		t.Fatal(err)
	}
	return srv
}

// loginWith runs a flow for "app" with verifier v (nil: an idtoken
// verifier of srv) against srv through tr (nil: the default) and returns
// its credentials or the exchange's error.
func loginWith(t *testing.T, srv *oauth2test.Server, tr http.RoundTripper, v oauth2client.IDTokenVerifier) (*oauth2client.Credentials, error) {
	t.Helper()
	ctx := context.Background()
	endpoint, err := oauth2client.Discover(ctx, srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if v == nil {
		v, err = idtoken.New(&idtoken.Options{Issuer: endpoint.Issuer, Audiences: []string{"app"}, JWKSURL: endpoint.JWKSURL})
		if err != nil {
			t.Fatal(err)
		}
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "app", ClientSecret: "app-secret", Endpoint: *endpoint, HTTPClient: &http.Client{Transport: tr},
		RedirectURL: "http://127.0.0.1:8080/cb", Scopes: []string{"openid", "offline_access"}, IDTokenVerifier: v,
	})
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := flow.AuthCodeURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return flow.ExchangeCallback(ctx, authorize(authURL))
}

func TestIDTokenVerifiedOnExchangeAndRefresh(t *testing.T) {
	t.Parallel()
	srv := appServer(t)
	ctx := context.Background()

	forged := &forgingTransport{}
	forged.forge.Store(true)
	if _, err := loginWith(t, srv, forged, nil); !errors.Is(err, idtoken.ErrBadSignature) {
		t.Fatalf("exchange with a forged ID token: err = %v, want ErrBadSignature", err)
	}

	tr := &forgingTransport{}
	creds, err := loginWith(t, srv, tr, nil)
	if err != nil {
		t.Fatal(err)
	}
	first := creds.CurrentToken()
	if !creds.IDTokenVerified() || creds.IDTokenClaims()["sub"] != "alice" {
		t.Fatalf("after the exchange: verified %t, claims %v", creds.IDTokenVerified(), creds.IDTokenClaims())
	}
	if creds.Config().IDTokenVerifier == nil {
		t.Fatal("the flow's credentials carry no IDTokenVerifier")
	}
	if !creds.State().Credentials(creds.Config()).IDTokenVerified() {
		t.Error("credentials made from the state of verified ones are not verified")
	}
	data, err := json.Marshal(creds.State())
	if err != nil {
		t.Fatal(err)
	}
	var stored oauth2client.CredentialsState
	if err := json.Unmarshal(data, &stored); err != nil {
		t.Fatal(err)
	}
	if stored.Credentials(creds.Config()).IDTokenVerified() {
		t.Error("credentials read back from JSON claim a verification")
	}
	tok, err := creds.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if tok.IDToken == "" || tok.IDToken == first.IDToken || !creds.IDTokenVerified() || creds.IDTokenClaims()["sub"] != "alice" {
		t.Fatalf("after a refresh: new ID token %t, verified %t, claims %v", tok.IDToken != first.IDToken, creds.IDTokenVerified(), creds.IDTokenClaims())
	}

	tr.forge.Store(true)
	before := creds.CurrentToken()
	if _, err := creds.Refresh(ctx); !errors.Is(err, idtoken.ErrBadSignature) {
		t.Fatalf("refresh with a forged ID token: err = %v, want ErrBadSignature", err)
	}
	if creds.CurrentToken() != before || !creds.IDTokenVerified() || creds.Invalid() {
		t.Fatal("a refused refresh changed the credentials")
	}
}

// subVerifier "verifies" every token as one with the next of subs.
type subVerifier struct {
	subs []string
	n    atomic.Int32
}

func (s *subVerifier) VerifyIDToken(_ context.Context, _, nonce string) (map[string]any, error) {
	i := int(s.n.Add(1)) - 1
	return map[string]any{"iss": "https://issuer.example", "sub": s.subs[min(i, len(s.subs)-1)], "aud": []any{"app"}, "nonce": nonce}, nil
}

func TestRefreshRefusesChangedSubject(t *testing.T) {
	t.Parallel()
	srv := appServer(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		subs []string
		want error
	}{
		{"same subject", []string{"alice", "alice"}, nil},
		{"changed subject", []string{"alice", "bob"}, oauth2client.ErrIDTokenChanged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creds, err := loginWith(t, srv, nil, &subVerifier{subs: tc.subs})
			if err != nil {
				t.Fatal(err)
			}
			_, err = creds.Refresh(ctx)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("refresh: err = %v, want %v", err, tc.want)
			}
			if tc.want == nil && (!creds.IDTokenVerified() || creds.IDTokenClaims()["nonce"] != "") {
				t.Errorf("refresh: verified %t, claims %v (want no nonce asked)", creds.IDTokenVerified(), creds.IDTokenClaims())
			}
		})
	}
}
