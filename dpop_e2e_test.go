package oauth2client_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Issue 11, item 1: a flow with a DPoP ProofBinder against oauth2test:
// code exchange → DPoP token → refresh → an API call through the
// Transport with a proof naming the token; with server nonces, the token
// endpoint and the API each ask once and are answered with the nonce.
func TestDPoPFlowEndToEnd(t *testing.T) {
	t.Parallel()
	for _, nonce := range []bool{false, true} {
		t.Run("nonce="+strconv.FormatBool(nonce), func(t *testing.T) {
			t.Parallel()
			srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, DPoPNonce: nonce})
			t.Cleanup(srv.Close)
			if err := srv.RegisterClient(oauth2test.Client{ID: "app", AnyLoopbackRedirect: true}); err != nil {
				t.Fatal(err)
			}
			endpoint, err := oauth2client.Discover(t.Context(), srv.Issuer(), nil)
			if err != nil {
				t.Fatal(err)
			}
			prover, err := dpop.NewProver(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			creds, _ := exchangeResumed(t, oauth2client.Config{
				ClientID: "app", Endpoint: *endpoint, ProofBinder: prover,
				RedirectURL: "http://127.0.0.1:8080/cb", Scopes: []string{"openid", "offline_access"},
			})
			first := creds.CurrentToken()
			if first.TokenType != "DPoP" {
				t.Fatalf("token type %q, want DPoP", first.TokenType)
			}
			wantTokenRequests := 1
			if nonce {
				wantTokenRequests = 2 // use_dpop_nonce, then the retry
			}
			if got := srv.Requests(oauth2test.PathToken); got != wantTokenRequests {
				t.Errorf("token requests for the exchange = %d, want %d", got, wantTokenRequests)
			}
			tok, err := creds.Refresh(t.Context())
			if err != nil {
				t.Fatalf("refresh: %v", err)
			}
			if tok.TokenType != "DPoP" || tok.AccessToken == first.AccessToken {
				t.Fatalf("refreshed token: type %q, new access token %v", tok.TokenType, tok.AccessToken != first.AccessToken)
			}
			if got := srv.Requests(oauth2test.PathToken); got != wantTokenRequests+1 {
				t.Errorf("token requests after refresh = %d, want %d (the nonce is remembered)", got, wantTokenRequests+1)
			}

			api := srv.URL + oauth2test.PathCalendarList
			get := func(rt http.RoundTripper) int {
				t.Helper()
				resp, err := (&http.Client{Transport: rt}).Get(api)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if got := get(&oauth2client.Transport{Source: creds, ProofBinder: prover}); got != http.StatusOK {
				t.Errorf("API call with proof: status %d", got)
			}
			if got := get(&oauth2client.Transport{Source: oauth2client.StaticTokenSource(tok)}); got != http.StatusUnauthorized {
				t.Errorf("API call without proof: status %d, want 401", got)
			}
			// The same key without the remembered nonce: the API asks, once.
			forgetful, err := dpop.NewProver(prover.Key(), nil)
			if err != nil {
				t.Fatal(err)
			}
			before := srv.Requests(oauth2test.PathCalendarList)
			if got := get(&oauth2client.Transport{Source: oauth2client.StaticTokenSource(tok), ProofBinder: forgetful}); got != http.StatusOK {
				t.Errorf("API call with a fresh nonce memory: status %d", got)
			}
			want := 1
			if nonce {
				want = 2
			}
			if got := srv.Requests(oauth2test.PathCalendarList) - before; got != want {
				t.Errorf("API requests = %d, want %d", got, want)
			}

			// A revoked token: the 401 gets a refreshed token, sent again
			// with a proof naming it. (Credentials of unknown age, since a
			// token just obtained is not replaced on its first 401.)
			creds = oauth2client.NewCredentials(oauth2client.CredentialsConfig{
				ClientID: "app", TokenURI: endpoint.TokenURL, ProofBinder: prover,
			}, &oauth2client.Token{AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, TokenType: tok.TokenType, Expiry: tok.Expiry})
			resp, err := http.PostForm(srv.URL+oauth2test.PathRevoke, url.Values{"token": {tok.AccessToken}, "client_id": {"app"}})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			before = srv.Requests(oauth2test.PathCalendarList)
			if got := get(&oauth2client.Transport{Source: creds, ProofBinder: prover}); got != http.StatusOK {
				t.Errorf("API call after revocation: status %d", got)
			}
			if got := srv.Requests(oauth2test.PathCalendarList) - before; got != 2 {
				t.Errorf("API requests after revocation = %d, want 2 (401, then the new token)", got)
			}
			if now := creds.CurrentToken(); now.AccessToken == tok.AccessToken || now.TokenType != "DPoP" {
				t.Errorf("after the 401: type %q, new token %v", now.TokenType, now.AccessToken != tok.AccessToken)
			}
		})
	}
}

// A resource server answering use_dpop_nonce to every proof gets two
// requests, not a loop, and the caller its 401.
func TestTransportDPoPNonceLoop(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		if r.Header.Get("DPoP") == "" || r.Header.Get("Authorization") != "DPoP tok" {
			t.Errorf("request %d: no DPoP proof or wrong Authorization", i)
		}
		w.Header().Set("DPoP-Nonce", "n"+strconv.FormatInt(i, 10))
		w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	prover, err := dpop.NewProver(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Transport: &oauth2client.Transport{
		Source:      oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "tok", TokenType: "DPoP"}),
		ProofBinder: prover,
	}}
	resp, err := client.Get(srv.URL + "/api")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || n.Load() != 2 {
		t.Errorf("status %d after %d requests, want 401 after 2", resp.StatusCode, n.Load())
	}
}

// BenchmarkTransportDPoP is the cost a DPoP proof (ES256, signed per
// request) adds to an authorized request, next to a bearer request, both
// without the network (see BenchmarkTransportOverhead).
func BenchmarkTransportDPoP(b *testing.B) {
	prover, err := dpop.NewProver(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	base := roundTripFunc(func(*http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Header: http.Header{}}, nil
	})
	cases := []struct {
		name string
		rt   http.RoundTripper
	}{
		{"bearer", &oauth2client.Transport{Base: base,
			Source: oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "abc", TokenType: "Bearer"})}},
		{"dpop", &oauth2client.Transport{Base: base, ProofBinder: prover,
			Source: oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "abc", TokenType: "DPoP"})}},
	}
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/api?x=1", nil)
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.rt.RoundTrip(req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// The Transport adds a proof only to tokens of the binder's type, and
// does not resend a body it cannot read again.
func TestTransportDPoPCases(t *testing.T) {
	t.Parallel()
	type seen struct{ auth, proof string }
	var got []seen
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Header.Get("Authorization"), r.Header.Get("DPoP")})
		mu.Unlock()
		w.Header().Set("DPoP-Nonce", "n")
		w.Header().Set("WWW-Authenticate", `DPoP error="use_dpop_nonce"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	prover, err := dpop.NewProver(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	static := func(typ string) oauth2client.TokenSource {
		return oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "tok", TokenType: typ})
	}
	for _, tc := range []struct {
		name      string
		rt        *oauth2client.Transport
		body      io.Reader
		wantAuth  string
		wantProof bool
		wantSent  int
	}{
		{"bearer token, binder set", &oauth2client.Transport{Source: static("Bearer"), ProofBinder: prover}, nil, "Bearer tok", false, 1},
		{"DPoP token, no binder", &oauth2client.Transport{Source: static("DPoP")}, nil, "DPoP tok", false, 1},
		{"DPoP token, body not replayable", &oauth2client.Transport{Source: static("DPoP"), ProofBinder: prover},
			io.NopCloser(strings.NewReader("x")), "DPoP tok", true, 1},
		{"DPoP token, replayable body", &oauth2client.Transport{Source: static("DPoP"), ProofBinder: prover},
			strings.NewReader("x"), "DPoP tok", true, 2},
	} {
		mu.Lock()
		got = nil
		mu.Unlock()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/api", tc.body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := (&http.Client{Transport: tc.rt}).Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		resp.Body.Close()
		mu.Lock()
		if len(got) != tc.wantSent {
			t.Errorf("%s: %d requests, want %d", tc.name, len(got), tc.wantSent)
		}
		for _, s := range got {
			if s.auth != tc.wantAuth || (s.proof != "") != tc.wantProof {
				t.Errorf("%s: Authorization %q, proof %v; want %q, %v", tc.name, s.auth, s.proof != "", tc.wantAuth, tc.wantProof)
			}
		}
		mu.Unlock()
	}
}
