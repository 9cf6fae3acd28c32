package clientauth_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
)

// FuzzParseKey feeds untrusted key files to ParseKey: it must not panic,
// and a key it returns must sign an assertion.
func FuzzParseKey(f *testing.F) {
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","kid":"k"}`))
	f.Add([]byte(`{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}`))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMRESclpezJpGXA7rAMcrn9g\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		key, kid, err := clientauth.ParseKey(data, "fuzz")
		if err != nil {
			return
		}
		auth, err := clientauth.NewPrivateKeyJWT(key, kid, nil)
		if err != nil {
			t.Fatalf("ParseKey returned a key NewPrivateKeyJWT refuses: %v", err)
		}
		r := &oauth2client.ClientAuthRequest{URL: "https://as.example/token", ClientID: "c", Form: url.Values{}, Header: http.Header{}}
		if err := auth.Authenticate(context.Background(), r); err != nil {
			t.Fatalf("a parsed key does not sign: %v", err)
		}
	})
}
