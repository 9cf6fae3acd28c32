package clientcredentials_test

import (
	"net/http"
	"testing"

	"github.com/oauth2client/oauth2client/clientcredentials"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Issue 11: a client credentials grant with a DPoP ProofBinder gets a
// DPoP-bound token (with the server's nonce asked for once), and the
// Client sends it with proofs; the token without its proof is refused.
func TestDPoPClientCredentials(t *testing.T) {
	t.Parallel()
	s := oauth2test.NewServer(&oauth2test.Options{DPoPNonce: true})
	t.Cleanup(s.Close)
	if err := s.RegisterClient(oauth2test.Client{ID: "svc", Secret: "svc-secret"}); err != nil {
		t.Fatal(err)
	}
	prover, err := dpop.NewProver(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &clientcredentials.Config{TokenURL: s.URL + oauth2test.PathToken, ClientID: "svc", ClientSecret: "svc-secret",
		Scopes: []string{"read"}, ProofBinder: prover}
	tok, err := cfg.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if tok.TokenType != dpop.TokenType {
		t.Fatalf("token type %q, want DPoP", tok.TokenType)
	}
	if n := s.Requests(oauth2test.PathToken); n != 2 {
		t.Errorf("%d token requests, want 2 (use_dpop_nonce, then the retry)", n)
	}
	resp, err := cfg.Client(nil).Get(s.URL + oauth2test.PathCalendarList)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("API call with proofs: status %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodGet, s.URL+oauth2test.PathCalendarList, nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("the DPoP token as a bearer token: status %d, want 401", resp.StatusCode)
	}
}
