package oauth2client_test

import (
	"context"
	"errors"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
)

// nonceRecorder is an IDTokenVerifier that records what it was asked and
// answers as told.
type nonceRecorder struct {
	raw, nonce string
	err        error
}

func (n *nonceRecorder) VerifyIDToken(_ context.Context, raw, nonce string) (map[string]any, error) {
	n.raw, n.nonce = raw, nonce
	if n.err != nil {
		return nil, n.err
	}
	return map[string]any{"sub": "verified-alice"}, nil
}

func TestFlowVerifiesIDToken(t *testing.T) {
	t.Parallel()
	srv := appServer(t)
	ctx := context.Background()
	endpoint, err := oauth2client.Discover(ctx, srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	real := func(aud string) oauth2client.IDTokenVerifier {
		v, err := idtoken.New(&idtoken.Options{Issuer: srv.Issuer(), Audiences: []string{aud}, JWKSURL: endpoint.JWKSURL})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	recorder := &nonceRecorder{}
	for _, tc := range []struct {
		name     string
		verifier oauth2client.IDTokenVerifier
		scopes   []string
		want     error
		sub      string
		verified bool
	}{
		{"no verifier", nil, []string{"openid"}, nil, "alice", false},
		{"verified", real("app"), []string{"openid", "email"}, nil, "alice", true},
		{"wrong audience", real("other-app"), []string{"openid"}, idtoken.ErrAudience, "", false},
		{"nonce passed", recorder, []string{"openid"}, nil, "verified-alice", true},
		{"verifier error", &nonceRecorder{err: idtoken.ErrExpired}, []string{"openid"}, idtoken.ErrExpired, "", false},
		{"no openid, no ID token", real("app"), []string{"email"}, nil, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			flow, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID: "app", ClientSecret: "app-secret", Endpoint: *endpoint,
				RedirectURL: "http://127.0.0.1:8080/cb", Scopes: tc.scopes, IDTokenVerifier: tc.verifier,
			})
			if err != nil {
				t.Fatal(err)
			}
			authURL, err := flow.AuthCodeURL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			nonce := flow.Pending().Nonce
			creds, err := flow.ExchangeCallback(ctx, authorize(authURL))
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if err != nil {
				return
			}
			if got := creds.IDTokenClaims()["sub"]; tc.sub != "" && got != tc.sub {
				t.Errorf("IDTokenClaims sub = %v, want %s", got, tc.sub)
			}
			if creds.IDTokenVerified() != tc.verified {
				t.Errorf("IDTokenVerified = %t", creds.IDTokenVerified())
			}
			if tc.verifier == recorder && (recorder.nonce != nonce || nonce == "" || recorder.raw != creds.CurrentToken().IDToken) {
				t.Errorf("verifier got nonce %q, flow sent %q", recorder.nonce, nonce)
			}
			if tc.sub != "" && creds.UnverifiedIDTokenClaims()["sub"] != "alice" {
				t.Errorf("UnverifiedIDTokenClaims = %v", creds.UnverifiedIDTokenClaims())
			}
		})
	}
}

func TestFlowRequiresIDToken(t *testing.T) {
	t.Parallel()
	srv := newExampleServer() // answers without an id_token
	defer srv.Close()
	ctx := context.Background()
	endpoint, err := oauth2client.Discover(ctx, srv.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec := &nonceRecorder{}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "app", Endpoint: *endpoint, RedirectURL: "http://127.0.0.1:8080/cb",
		Scopes: []string{"openid"}, IDTokenVerifier: rec,
	})
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := flow.AuthCodeURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flow.ExchangeCallback(ctx, authorize(authURL)); !errors.Is(err, oauth2client.ErrNoIDToken) {
		t.Fatalf("err = %v, want ErrNoIDToken", err)
	}
}
