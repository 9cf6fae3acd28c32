package google

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/serviceaccount"
)

// TestCredentialsIDTokenSource gets ID tokens for an audience from the
// three kinds of credentials that have them, against oauth2test: cached
// (one request for several calls), bearer tokens equal to the ID token,
// verified by package idtoken against the server's JWKS.
func TestCredentialsIDTokenSource(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const robot = "robot@oauth2test.iam.gserviceaccount.com"
	saFile, err := srv.RegisterServiceAccount(robot)
	if err != nil {
		t.Fatal(err)
	}
	impFile, err := json.Marshal(map[string]any{
		"type":                              TypeImpersonated,
		"service_account_impersonation_url": srv.URL + "/v1/projects/-/serviceAccounts/" + targetSA + ":generateAccessToken",
		"source_credentials":                json.RawMessage(authorizedUserJSON(t, srv, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	opts := &Options{HTTPClient: srv.Client()}
	fromFile := func(data []byte) func(t *testing.T) *Credentials {
		return func(t *testing.T) *Credentials {
			c, err := CredentialsFromJSON(data, "creds.json", opts)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	const aud = "https://service.example"
	tests := []struct {
		name      string
		creds     func(t *testing.T) *Credentials
		requests  func() int
		wantEmail string
	}{
		{name: "service_account", creds: fromFile(saFile),
			requests: func() int { return srv.TokenRequests(serviceaccount.GrantType) }, wantEmail: robot},
		{name: "metadata", creds: func(*testing.T) *Credentials {
			m := NewMetadataClient(&MetadataOptions{Host: hostOf(srv.URL)})
			return &Credentials{TokenSource: m, Type: TypeMetadata, meta: m}
		}, requests: func() int { return srv.Requests(oauth2test.PathMetadataIdentity) }, wantEmail: oauth2test.MetadataServiceAccount},
		{name: "impersonated", creds: fromFile(impFile),
			requests: func() int { return srv.Requests(oauth2test.PathIAMGenerateIDToken) }, wantEmail: targetSA},
	}
	ctx := context.Background()
	v, err := idtoken.NewFromDiscovery(ctx, srv.Issuer(), &idtoken.Options{Audiences: []string{aud}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests { // sequential: the request counters are the server's
		t.Run(tt.name, func(t *testing.T) {
			src, err := tt.creds(t).IDTokenSource(aud)
			if err != nil {
				t.Fatal(err)
			}
			before := tt.requests()
			var tok *oauth2client.Token
			for range 5 {
				if tok, err = src.Token(ctx); err != nil {
					t.Fatal(err)
				}
			}
			if n := tt.requests() - before; n != 1 {
				t.Errorf("requests = %d, want 1", n)
			}
			if tok.AccessToken != tok.IDToken || tok.Expiry.IsZero() {
				t.Errorf("token: AccessToken is not the ID token, or no expiry")
			}
			c, err := v.Verify(ctx, tok.IDToken)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if c.Email != tt.wantEmail || !c.Expiry.Equal(tok.Expiry) {
				t.Errorf("email %q (want %q), exp %v (token expiry %v)", c.Email, tt.wantEmail, c.Expiry, tok.Expiry)
			}
		})
	}

	user, err := CredentialsFromJSON(authorizedUserJSON(t, srv, nil), "user.json", opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := user.IDTokenSource(aud); !errors.Is(err, ErrNoIDTokens) {
		t.Errorf("authorized_user IDTokenSource = %v, want ErrNoIDTokens", err)
	}
	sa, _ := CredentialsFromJSON(saFile, "sa.json", opts)
	if _, err := sa.IDTokenSource(""); !errors.Is(err, serviceaccount.ErrConfig) {
		t.Errorf("empty audience: %v, want serviceaccount.ErrConfig", err)
	}
}

// TestImpersonatedSignBlob signs through oauth2test's signBlob and checks
// the signature with the public half of the account's key.
func TestImpersonatedSignBlob(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const signer = "signer@oauth2test.iam.gserviceaccount.com"
	keyFile, err := srv.RegisterServiceAccount(signer)
	if err != nil {
		t.Fatal(err)
	}
	key, err := serviceaccount.ParseJSONKey(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	at, _ := srv.MintToken(testClientID, "alice", []string{CloudPlatformScope}, 0)
	source := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: at})
	imp, err := Impersonate(source, &ImpersonateOptions{TargetPrincipal: signer, BaseURL: srv.URL, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	data := []byte("a blob to sign, \x00 with any bytes")
	kid, sig, err := imp.SignBlob(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := rsa.VerifyPKCS1v15(key.Public().(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify with the account's key: %v", err)
	}
	if kid != key.KeyID() {
		t.Errorf("keyId = %q, want %q", kid, key.KeyID())
	}
	if n := srv.Requests(oauth2test.PathIAMSignBlob); n != 1 {
		t.Errorf("signBlob requests = %d, want 1", n)
	}

	// An account whose key the server does not hold, and a bad source token.
	other, _ := Impersonate(source, &ImpersonateOptions{TargetPrincipal: targetSA, BaseURL: srv.URL, HTTPClient: srv.Client()})
	var ie *IAMError
	if _, _, err := other.SignBlob(ctx, data); !errors.As(err, &ie) || ie.StatusCode != 404 || ie.Method != "signBlob" {
		t.Errorf("unknown account: %v, want a 404 *IAMError", err)
	}
	bad, _ := Impersonate(oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "forged"}),
		&ImpersonateOptions{TargetPrincipal: signer, BaseURL: srv.URL, HTTPClient: srv.Client()})
	if _, _, err := bad.SignBlob(ctx, data); !errors.As(err, &ie) || ie.StatusCode != 401 {
		t.Errorf("bad source token: %v, want a 401 *IAMError", err)
	}
}
