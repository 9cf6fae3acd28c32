package authadapt

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/httptransport"

	"github.com/oauth2client/oauth2client"
)

func TestTokenConversions(t *testing.T) {
	t.Parallel()
	exp := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := &oauth2client.Token{AccessToken: "at", TokenType: "bearer", RefreshToken: "rt", Expiry: exp, IDToken: "idt", Scopes: []string{"a", "b"}}
	a := TokenToAuth(tok)
	if a.Value != "at" || a.Type != "Bearer" || !a.Expiry.Equal(exp) || a.Metadata["id_token"] != "idt" || a.Metadata["scope"] != "a b" {
		t.Errorf("TokenToAuth = %+v", a)
	}
	for k, v := range a.Metadata {
		if v == "rt" {
			t.Errorf("the refresh token went into Metadata[%q]", k)
		}
	}
	back := TokenFromAuth(a)
	if back.AccessToken != "at" || back.Type() != "Bearer" || !back.Expiry.Equal(exp) || back.IDToken != "idt" || !slices.Equal(back.Scopes, []string{"a", "b"}) || back.RefreshToken != "" {
		t.Errorf("TokenFromAuth(TokenToAuth(t)) = %+v", back)
	}
	if a := TokenToAuth(&oauth2client.Token{AccessToken: "x"}); a.Metadata != nil || a.Type != "Bearer" {
		t.Errorf("a bare token: %+v, want no Metadata and type Bearer", a)
	}
	if TokenToAuth(nil) != nil || TokenFromAuth(nil) != nil {
		t.Error("nil did not convert to nil")
	}
	if got := TokenFromAuth(&auth.Token{Value: "v", Metadata: map[string]any{"scope": 7}}); got.Scopes != nil {
		t.Errorf("a non-string scope became %q", got.Scopes)
	}
}

// ctxKey marks the context a test passes, to see it arrive.
type ctxKey struct{}

func TestProviderAndSource(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	src := oauth2client.TokenSourceFunc(func(ctx context.Context) (*oauth2client.Token, error) {
		if ctx.Value(ctxKey{}) != "v" {
			return nil, errors.New("the context did not pass through")
		}
		calls.Add(1)
		return &oauth2client.Token{AccessToken: "tok", Expiry: time.Now().Add(time.Hour)}, nil
	})
	ctx := context.WithValue(t.Context(), ctxKey{}, "v")
	tp := TokenProvider(src)
	a, err := tp.Token(ctx)
	if err != nil || a.Value != "tok" {
		t.Fatalf("provider: %+v, %v", a, err)
	}
	// The other way, through an *auth.Credentials.
	got, err := TokenSource(Credentials(src, nil)).Token(ctx)
	if err != nil || got.AccessToken != "tok" || calls.Load() != 2 {
		t.Fatalf("source over credentials: %+v, %v after %d calls", got, err, calls.Load())
	}
	if s, ok := TokenSource(tp).(oauth2client.TokenSourceFunc); !ok || s == nil {
		t.Error("TokenSource(TokenProvider(s)) is not s")
	}
	ap := auth.TokenProvider(Credentials(src, nil))
	if TokenProvider(TokenSource(ap)) != ap {
		t.Error("TokenProvider(TokenSource(p)) is not p")
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	failing := oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) { return nil, boom })
	if _, err := TokenProvider(failing).Token(t.Context()); !errors.Is(err, boom) {
		t.Errorf("a failing source: %v, want it wrapped", err)
	}
	dpop := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "secret-token", TokenType: "DPoP"})
	if _, err := TokenProvider(dpop).Token(t.Context()); !errors.Is(err, ErrProofBound) || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("a DPoP token: %v, want ErrProofBound without the token", err)
	}
	nilSource := oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) { return nil, nil })
	if _, err := TokenProvider(nilSource).Token(t.Context()); err == nil {
		t.Error("a source returning no token passed")
	}
	failingProvider := auth.TokenProvider(Credentials(failing, nil))
	if _, err := TokenSource(failingProvider).Token(t.Context()); !errors.Is(err, boom) {
		t.Errorf("a failing provider: %v, want it wrapped", err)
	}
}

func TestCredentialsProperties(t *testing.T) {
	t.Parallel()
	src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "x"})
	c := Credentials(src, &CredentialsOptions{ProjectID: "p", QuotaProjectID: "q", UniverseDomain: "u.example"})
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		get  func(context.Context) (string, error)
		want string
	}{
		{"project", c.ProjectID, "p"},
		{"quota project", c.QuotaProjectID, "q"},
		{"universe", c.UniverseDomain, "u.example"},
	} {
		if got, err := tc.get(ctx); err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if u, err := Credentials(src, nil).UniverseDomain(ctx); err != nil || u != "googleapis.com" {
		t.Errorf("default universe %q, %v", u, err)
	}
}

// TestHTTPTransport: cloud.google.com/go/auth's own HTTP transport, given
// the credentials, sends the source's token as a bearer token, and asks
// the source again once its cache holds an expired token.
func TestHTTPTransport(t *testing.T) {
	t.Parallel()
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	var n atomic.Int32
	src := oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) {
		if n.Add(1) == 1 {
			return &oauth2client.Token{AccessToken: "first", Expiry: time.Now().Add(-time.Second)}, nil
		}
		return &oauth2client.Token{AccessToken: "second", Expiry: time.Now().Add(time.Hour)}, nil
	})
	client, err := httptransport.NewClient(&httptransport.Options{Credentials: Credentials(src, nil), DisableTelemetry: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Bearer first", "Bearer second"} {
		resp, err := client.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got, _ := seen.Load().(string); got != want {
			t.Errorf("Authorization %q, want %q", got, want)
		}
	}
}
