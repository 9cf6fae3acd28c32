package oauth2client_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// signerFunc is a RequestObjectSigner of a function.
type signerFunc func(ctx context.Context, claims map[string]any) (string, error)

func (f signerFunc) SignRequestObject(ctx context.Context, claims map[string]any) (string, error) {
	return f(ctx, claims)
}

// The request object carries every authorization parameter with iss, aud,
// exp and jti; a signer's failure fails Start.
func TestRequestObjectClaims(t *testing.T) {
	t.Parallel()
	var got map[string]any
	cfg := oauth2client.Config{
		ClientID: "app", RedirectURL: "http://127.0.0.1:8080/cb", Scopes: []string{"openid"},
		Endpoint: oauth2client.Endpoint{Issuer: "https://as.example", AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"},
		RequestObjectSigner: signerFunc(func(_ context.Context, claims map[string]any) (string, error) {
			got = claims
			return "h.p.s", nil
		}),
	}
	flow, err := oauth2client.NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := flow.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"state", "nonce", "code_challenge", "redirect_uri", "scope", "response_type", "client_id", "exp", "iat", "jti"} {
		if got[k] == nil {
			t.Errorf("request object lacks %s: %v", k, got)
		}
	}
	if got["iss"] != "app" || got["aud"] != "https://as.example" || got["state"] != st.State {
		t.Errorf("request object claims = %v", got)
	}
	if strings.Contains(st.URL, "state=") || !strings.Contains(st.URL, "request=h.p.s") {
		t.Errorf("URL = %s, want the parameters inside the request object", st.URL)
	}

	boom := errors.New("boom")
	cfg.RequestObjectSigner = signerFunc(func(context.Context, map[string]any) (string, error) { return "", boom })
	flow, err = oauth2client.NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flow.Start(t.Context()); !errors.Is(err, boom) || !strings.Contains(err.Error(), "Config.RequestObjectSigner") {
		t.Errorf("Start with a failing signer: %v", err)
	}
}
