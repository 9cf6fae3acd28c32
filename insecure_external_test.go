package oauth2client_test

import (
	"errors"
	"net/url"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// One exported error for the plain-http rule, usable with errors.Is from
// outside the module, whichever way the URL came in.
func TestErrInsecureHTTPFromOutside(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	_, err := oauth2client.RequestToken(ctx, &oauth2client.TokenRequest{URL: "http://issuer.example/token",
		Params: url.Values{"grant_type": {"client_credentials"}}})
	if !errors.Is(err, oauth2client.ErrInsecureHTTP) {
		t.Errorf("RequestToken to http://issuer.example: %v, want ErrInsecureHTTP", err)
	}
	_, err = oauth2client.NewFlow(oauth2client.Config{ClientID: "c", Endpoint: oauth2client.Endpoint{
		AuthURL: "https://issuer.example/auth", TokenURL: "http://issuer.example/token"}})
	if !errors.Is(err, oauth2client.ErrInsecureHTTP) {
		t.Errorf("NewFlow with an http token URL: %v, want ErrInsecureHTTP", err)
	}
	c := oauth2client.NewClient(oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "at"}), nil)
	_, err = c.Get("http://api.example/v1")
	if !errors.Is(err, oauth2client.ErrInsecureHTTP) {
		t.Errorf("a token to http://api.example: %v, want ErrInsecureHTTP", err)
	}
}
