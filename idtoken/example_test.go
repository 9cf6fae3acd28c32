package idtoken_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Verify an ID token from an OpenID Provider found by discovery.
func ExampleNewFromDiscovery() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	raw, _ := srv.MintIDToken("my-client", "alice", "n-0S6_WzA2Mj")

	ctx := context.Background()
	v, err := idtoken.NewFromDiscovery(ctx, srv.Issuer(), &idtoken.Options{
		Audiences: []string{"my-client"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	claims, err := v.Verify(ctx, raw, idtoken.WithNonce("n-0S6_WzA2Mj"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(claims.Subject, claims.Email, claims.EmailVerified)

	_, err = v.Verify(ctx, raw, idtoken.WithNonce("another"))
	fmt.Println(errors.Is(err, idtoken.ErrNonce))
	// Output:
	// alice alice@example.com true
	// true
}
