package authadapt_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/authadapt"
)

// NewCredentials hands oauth2client's credentials to a Google Cloud Go
// client that takes cloud.google.com/go/auth credentials:
// option.WithAuthCredentials(creds), or the client's AuthCredentials field.
func ExampleNewCredentials() {
	// Any oauth2client.TokenSource: user credentials bound to a store, a
	// service account, Application Default Credentials, ...
	src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "ya29.example", Expiry: time.Now().Add(time.Hour)})
	creds := authadapt.NewCredentials(src, &authadapt.CredentialsOptions{QuotaProjectID: "my-billing-project"})

	tok, err := creds.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Value)
	// Output: ya29.example
}
