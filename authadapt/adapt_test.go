package authadapt_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/httptransport"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/authadapt"
)

func TestTokenConversionsRoundTrip(t *testing.T) {
	t.Parallel()
	exp := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	ours := &oauth2client.Token{
		AccessToken: "at", TokenType: "Bearer", Expiry: exp, IDToken: "id.token.sig",
		Scopes: []string{"a", "b"},
		Raw:    map[string]any{"access_token": "at", "custom": float64(7)},
	}
	a := authadapt.TokenToAuth(ours)
	if a.Value != "at" || a.Type != "Bearer" || !a.Expiry.Equal(exp) {
		t.Fatalf("TokenToAuth = %+v", a)
	}
	if a.MetadataString("id_token") != "id.token.sig" || a.MetadataString("scope") != "a b" || a.Metadata["custom"] != float64(7) {
		t.Errorf("TokenToAuth metadata = %v", a.Metadata)
	}
	back := authadapt.TokenFromAuth(a)
	if back.AccessToken != "at" || back.IDToken != "id.token.sig" || !reflect.DeepEqual(back.Scopes, []string{"a", "b"}) || !back.Expiry.Equal(exp) {
		t.Errorf("TokenFromAuth(TokenToAuth(t)) = %+v", back)
	}
	if ours.Raw["scope"] != nil {
		t.Error("TokenToAuth changed the token's Raw map")
	}
	if authadapt.TokenToAuth(nil) != nil || authadapt.TokenFromAuth(nil) != nil {
		t.Error("nil does not convert to nil")
	}
}

func TestTokenProviderRefusesSenderConstrainedTokens(t *testing.T) {
	t.Parallel()
	for _, typ := range []string{"", "Bearer", "bearer", "DPoP", "N_A"} {
		src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "at", TokenType: typ})
		_, err := authadapt.TokenProvider(src).Token(context.Background())
		bearer := typ == "" || typ == "Bearer" || typ == "bearer"
		if bearer && err != nil {
			t.Errorf("type %q: %v", typ, err)
		}
		if !bearer && !errors.Is(err, authadapt.ErrSenderConstrained) {
			t.Errorf("type %q: err = %v, want ErrSenderConstrained", typ, err)
		}
	}
}

type providerFunc func(context.Context) (*auth.Token, error)

func (f providerFunc) Token(ctx context.Context) (*auth.Token, error) { return f(ctx) }

func TestTokenSourceFromProvider(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	authErr := &auth.Error{Response: &http.Response{StatusCode: 400}}
	tests := []struct {
		name    string
		tp      auth.TokenProvider
		want    string
		wantErr func(error) bool
	}{
		{"token", providerFunc(func(context.Context) (*auth.Token, error) { return &auth.Token{Value: "v"}, nil }), "v", nil},
		{"error kept", providerFunc(func(context.Context) (*auth.Token, error) { return nil, authErr }), "",
			func(err error) bool { var ae *auth.Error; return errors.As(err, &ae) }},
		{"no token", providerFunc(func(context.Context) (*auth.Token, error) { return nil, nil }), "",
			func(err error) bool { return err != nil }},
		{"credentials", auth.NewCredentials(&auth.CredentialsOptions{TokenProvider: providerFunc(func(context.Context) (*auth.Token, error) {
			return &auth.Token{Value: "c", Expiry: time.Now().Add(time.Hour)}, nil
		})}), "c", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := authadapt.TokenSource(tt.tp).Token(ctx)
			if tt.wantErr != nil {
				if !tt.wantErr(err) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || tok.AccessToken != tt.want {
				t.Fatalf("Token() = %v, %v; want %q", tok, err, tt.want)
			}
		})
	}
}

func TestAdaptersUndoEachOther(t *testing.T) {
	t.Parallel()
	src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "at"})
	if got := authadapt.TokenSource(authadapt.TokenProvider(src)); got != src {
		t.Errorf("TokenSource(TokenProvider(src)) = %T, want src itself", got)
	}
}

// TestNewCredentialsThroughHTTPTransport sends a request with
// cloud.google.com/go/auth's own transport over credentials from an
// oauth2client source: the token and the quota project arrive.
func TestNewCredentialsThroughHTTPTransport(t *testing.T) {
	t.Parallel()
	var gotAuth, gotQuota string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotAuth, gotQuota = r.Header.Get("Authorization"), r.Header.Get("X-Goog-User-Project")
	}))
	defer api.Close()
	src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "at-1", Expiry: time.Now().Add(time.Hour)})
	creds := authadapt.NewCredentials(src, &authadapt.CredentialsOptions{QuotaProjectID: "billing", ProjectID: "proj"})
	if id, err := creds.ProjectID(context.Background()); err != nil || id != "proj" {
		t.Errorf("ProjectID = %q, %v", id, err)
	}
	if qp, err := creds.QuotaProjectID(context.Background()); err != nil || qp != "billing" {
		t.Errorf("QuotaProjectID = %q, %v", qp, err)
	}
	// Headers is set because httptransport (v0.24.4) adds the quota project
	// header only to a Headers map the caller passed in.
	client, err := httptransport.NewClient(&httptransport.Options{Credentials: creds, Headers: http.Header{}})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get(api.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if gotAuth != "Bearer at-1" || gotQuota != "billing" {
		t.Errorf("the API saw Authorization %q, X-Goog-User-Project %q", gotAuth, gotQuota)
	}
}

// certSource is a token source presenting a TLS client certificate, as
// oauth2client's Credentials with an RFC 8705 client do.
type certSource struct {
	oauth2client.TokenSource
	cert *tls.Certificate
}

func (s certSource) TLSCertificate() *tls.Certificate { return s.cert }

func TestTokenProviderRefusesCertificateBoundTokens(t *testing.T) {
	t.Parallel()
	bearer := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "at", TokenType: "Bearer"})
	_, err := authadapt.TokenProvider(certSource{bearer, &tls.Certificate{}}).Token(context.Background())
	if !errors.Is(err, authadapt.ErrSenderConstrained) {
		t.Errorf("a certificate-bound Bearer token: err = %v, want ErrSenderConstrained", err)
	}
	if _, err := authadapt.TokenProvider(certSource{bearer, nil}).Token(context.Background()); err != nil {
		t.Errorf("a source without a certificate: %v", err)
	}
}

func TestNilSourcesAndTokensFail(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	empty := oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) { return nil, nil })
	for name, call := range map[string]func() error{
		"TokenProvider(nil)":          func() error { _, err := authadapt.TokenProvider(nil).Token(ctx); return err },
		"TokenSource(nil)":            func() error { _, err := authadapt.TokenSource(nil).Token(ctx); return err },
		"a source returning no token": func() error { _, err := authadapt.TokenProvider(empty).Token(ctx); return err },
	} {
		if err := call(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTokenToAuthLeavesTheRefreshTokenOut(t *testing.T) {
	t.Parallel()
	a := authadapt.TokenToAuth(&oauth2client.Token{AccessToken: "at", RefreshToken: "rt",
		Raw: map[string]any{"access_token": "at", "refresh_token": "rt"}})
	if _, ok := a.Metadata["refresh_token"]; ok {
		t.Error("the refresh token was copied into the auth token's Metadata")
	}
}
