package oauth2client_test

import (
	"context"
	"fmt"
	"log"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
)

// DPoP-bound tokens when the server supports DPoP: the flow makes a key,
// binds the authorization code and the tokens to it, and the credentials
// keep it, so that a store keeps it too and credentials read back from the
// store (after a restart, or in another process) refresh and call APIs
// with proofs by the same key.
func ExampleDPoPOptions() {
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, Clients: []oauth2test.Client{{ID: "app", AnyLoopbackRedirect: true}}})
	defer srv.Close()
	ctx := context.Background()
	endpoint, err := oauth2client.Discover(ctx, srv.URL, nil) // lists dpop_signing_alg_values_supported
	if err != nil {
		log.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "app", Endpoint: *endpoint, RedirectURL: "http://127.0.0.1:8080/cb",
		Scopes: []string{"openid", "offline_access"},
		DPoP:   oauth2client.DPoPOptions{Mode: oauth2client.DPoPAuto, BindCode: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	authURL, err := flow.AuthCodeURL(ctx) // carries dpop_jkt
	if err != nil {
		log.Fatal(err)
	}
	creds, err := flow.ExchangeCallback(ctx, authorize(authURL))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("token type:", creds.CurrentToken().TokenType)

	s := store.NewMemory() // or file, keyring, SQLite, PostgreSQL
	if err := s.Save(ctx, "alice", creds.State()); err != nil {
		log.Fatal(err)
	}
	restored, err := store.Bind(ctx, s, "alice", nil) // the key comes back with them
	if err != nil {
		log.Fatal(err)
	}
	if _, err := restored.Refresh(ctx); err != nil {
		log.Fatal(err)
	}
	resp, err := restored.Client(nil).Get(srv.URL + oauth2test.PathCalendarList) // with a proof
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	fmt.Println("API call:", resp.Status)
	// Output:
	// token type: DPoP
	// API call: 200 OK
}
