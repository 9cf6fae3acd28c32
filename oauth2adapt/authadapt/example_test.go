package authadapt_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"

	"cloud.google.com/go/auth"
	"cloud.google.com/go/auth/httptransport"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2adapt/authadapt"
)

// Credentials wraps an oauth2client token source (here a fixed token; in a
// program, stored credentials or a service account's source) for
// cloud.google.com/go/auth's transports, and for the Google Cloud clients
// that take option.WithAuthCredentials.
func ExampleCredentials() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Println("the API got:", r.Header.Get("Authorization"))
	}))
	defer api.Close()

	src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "example-token"})
	creds := authadapt.Credentials(src, &authadapt.CredentialsOptions{QuotaProjectID: "my-project"})
	client, err := httptransport.NewClient(&httptransport.Options{Credentials: creds, DisableTelemetry: true})
	if err != nil {
		panic(err)
	}
	resp, err := client.Get(api.URL)
	if err != nil {
		panic(err)
	}
	resp.Body.Close()
	// Output: the API got: Bearer example-token
}

// TokenSource serves any auth.TokenProvider, *auth.Credentials included, to
// oauth2client's consumers.
func ExampleTokenSource() {
	provider := auth.TokenProvider(auth.NewCredentials(&auth.CredentialsOptions{
		TokenProvider: authadapt.TokenProvider(oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "from-auth"})),
	}))
	tok, err := authadapt.TokenSource(provider).Token(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Println(tok.Type(), tok.AccessToken)
	// Output: Bearer from-auth
}
