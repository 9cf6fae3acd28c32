package oauth2client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// exampleCredentials returns credentials issued by srv to a registered
// client, as a finished flow would.
func exampleCredentials(srv *oauth2test.Server, ttl time.Duration) *oauth2client.Credentials {
	if err := srv.RegisterClient(oauth2test.Client{ID: "example", Secret: "example-secret", AnyLoopbackRedirect: true}); err != nil {
		log.Fatal(err)
	}
	access, refresh := srv.MintToken("example", "alice", []string{"openid", "email"}, ttl)
	return oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID:     "example",
		ClientSecret: "example-secret",
		TokenURI:     srv.URL + oauth2test.PathToken,
		RevokeURI:    srv.URL + oauth2test.PathRevoke,
		Scopes:       []string{"openid", "email"},
	}, &oauth2client.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(ttl)})
}

// Credentials.Client is Python's credentials.authorize(http): every request
// carries a valid token, refreshed ahead of expiry.
func ExampleCredentials_Client() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	creds := exampleCredentials(srv, time.Hour)

	resp, err := creds.Client(nil).Get(srv.URL + oauth2test.PathCalendarList)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Println(resp.Status)
	fmt.Println(string(body))
	// Output:
	// 200 OK
	// {"items":[{"accessRole":"owner","id":"alice@example.com","kind":"calendar#calendarListEntry","primary":true,"summary":"alice"}],"kind":"calendar#calendarList"}
}

// OnToken listeners hear of every new token, for example to persist it.
// (Credentials bound to a store persist on their own: see package store.)
func ExampleCredentials_OnToken() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	creds := exampleCredentials(srv, time.Hour)
	creds.OnToken(func(tok *oauth2client.Token) {
		fmt.Println("new token; refresh token kept:", tok.RefreshToken != "")
	})
	if _, err := creds.Refresh(context.Background()); err != nil {
		log.Fatal(err)
	}
	fmt.Println("refresh requests:", srv.TokenRequests("refresh_token"))
	// Output:
	// new token; refresh token kept: true
	// refresh requests: 1
}

// ParseCredentialsJSON reads what Python oauth2client's file.Storage wrote;
// json.Marshal writes it back in the same format.
func ExampleParseCredentialsJSON() {
	data := []byte(`{"access_token": "ya29.example", "client_id": "conf-client",
		"client_secret": "conf-secret", "refresh_token": "1//example",
		"token_expiry": "2030-01-02T03:04:05Z", "token_uri": "https://oauth2.googleapis.com/token",
		"user_agent": null, "invalid": false, "scopes": ["email"],
		"_class": "OAuth2Credentials", "_module": "oauth2client.client"}`)
	creds, err := oauth2client.ParseCredentialsJSON(data)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.Config().ClientID, creds.CurrentToken().Expiry.Format(time.RFC3339), creds.Scopes())
	// Output:
	// conf-client 2030-01-02T03:04:05Z [email]
}

// A token obtained elsewhere is used as it is; asking it to refresh fails
// with ErrCannotRefresh.
func ExampleNewAccessTokenCredentials() {
	creds := oauth2client.NewAccessTokenCredentials("ya29.from-elsewhere", "my-app/1.0")
	tok, err := creds.Token(context.Background())
	fmt.Println(tok.AccessToken, err)
	_, err = creds.Refresh(context.Background())
	fmt.Println(errors.Is(err, oauth2client.ErrCannotRefresh))
	// Output:
	// ya29.from-elsewhere <nil>
	// true
}
