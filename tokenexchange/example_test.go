package tokenexchange_test

import (
	"context"
	"fmt"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/tokenexchange"
)

// Exchange a user's token for a narrower one meant for another service.
func ExampleNewSource() {
	srv := oauth2test.NewServer(&oauth2test.Options{TokenExchange: oauth2test.AllowTokenExchange})
	defer srv.Close()
	if err := srv.RegisterClient(oauth2test.Client{ID: "gateway", Secret: "gateway-secret"}); err != nil {
		fmt.Println(err)
		return
	}
	userToken, _ := srv.MintToken("web-app", "alice", []string{"calendar", "contacts"}, 0)

	src, err := tokenexchange.NewSource(&tokenexchange.Config{
		TokenURL: srv.URL + oauth2test.PathToken,
		ClientID: "gateway", ClientSecret: "gateway-secret",
		Subject:  tokenexchange.InputToken{Source: oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: userToken})},
		Audience: []string{"calendar-api"},
		Scopes:   []string{"calendar"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	tok, err := src.Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tokenexchange.IssuedTokenType(tok))
	fmt.Println(tok.Type(), tok.Scopes)
	// Output:
	// urn:ietf:params:oauth:token-type:access_token
	// Bearer [calendar]
}
