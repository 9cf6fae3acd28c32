package oauth2test_test

import (
	"context"
	"testing"

	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// TestIDTokensVerify checks that the server's ID tokens, RS256 and ES256
// by client, verify with package idtoken against the discovered JWKS.
func TestIDTokensVerify(t *testing.T) {
	t.Parallel()
	s := oauth2test.NewServer(&oauth2test.Options{Clients: []oauth2test.Client{
		{ID: "rs", Secret: "s"},
		{ID: "es", Secret: "s", IDTokenAlg: "ES256"},
	}})
	t.Cleanup(s.Close)
	if err := s.RegisterClient(oauth2test.Client{ID: "bad", IDTokenAlg: "HS256"}); err == nil {
		t.Error("IDTokenAlg HS256 accepted")
	}
	ctx := context.Background()
	for _, tc := range []struct{ client, alg string }{{"rs", "RS256"}, {"es", "ES256"}, {"unregistered", "RS256"}} {
		raw, err := s.MintIDToken(tc.client, "", "n")
		if err != nil {
			t.Fatal(err)
		}
		v, err := idtoken.NewFromDiscovery(ctx, s.Issuer(), &idtoken.Options{Audiences: []string{tc.client}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := v.Verify(ctx, raw, idtoken.WithNonce("n"))
		if err != nil {
			t.Fatalf("%s: %v", tc.client, err)
		}
		if c.Algorithm != tc.alg || c.Subject != oauth2test.DefaultUser {
			t.Errorf("%s: alg %s sub %s", tc.client, c.Algorithm, c.Subject)
		}
	}
}
