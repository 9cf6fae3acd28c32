package oauth2client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"
)

// TestCredentialRequestsDoNotFollowRedirects: a token, revocation or device
// endpoint answering 307 must not make the client resend its form (with the
// client secret) to wherever the redirect points.
func TestCredentialRequestsDoNotFollowRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer redirecting.Close()
	ctx := context.Background()

	calls := map[string]func() error{
		"token": func() error {
			_, err := RequestToken(ctx, &TokenRequest{
				URL: redirecting.URL, Params: url.Values{"grant_type": {"client_credentials"}},
				ClientID: "id", ClientSecret: "secret", AuthStyle: AuthStylePost,
			})
			return err
		},
		"revocation": func() error {
			c := NewCredentials(CredentialsConfig{ClientID: "id", ClientSecret: "secret", RevokeURI: redirecting.URL, AuthStyle: AuthStylePost},
				&Token{AccessToken: "at", RefreshToken: "rt"})
			return c.Revoke(ctx)
		},
		"device authorization": func() error {
			f, err := NewFlow(Config{ClientID: "id", ClientSecret: "secret", AuthStyle: AuthStylePost, RedirectURL: "http://127.0.0.1/cb",
				Endpoint: Endpoint{AuthURL: redirecting.URL, TokenURL: redirecting.URL, DeviceAuthURL: redirecting.URL}})
			if err != nil {
				return err
			}
			_, err = f.DeviceAuth(ctx)
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			var e *Error
			if !errors.As(err, &e) || e.StatusCode != http.StatusTemporaryRedirect {
				t.Fatalf("error %v, want an *Error with HTTP 307", err)
			}
			if n := elsewhere.Load(); n != 0 {
				t.Fatalf("the redirect target got %d requests", n)
			}
		})
	}
}
