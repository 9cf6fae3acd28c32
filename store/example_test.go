package store_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
)

// Bind ties credentials to a store entry: their refreshes go through the
// store, so every holder of the store (threads, processes, replicas)
// shares one refresh and sees the rotated refresh token.
func ExampleBind() {
	srv := oauth2test.NewServer(&oauth2test.Options{RotateRefreshTokens: true})
	defer srv.Close()
	if err := srv.RegisterClient(oauth2test.Client{ID: "app", Secret: "app-secret", AnyLoopbackRedirect: true}); err != nil {
		log.Fatal(err)
	}
	access, refresh := srv.MintToken("app", "alice", []string{"email"}, time.Hour)

	ctx := context.Background()
	s := store.NewMemory()
	defer s.Close()
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "app", ClientSecret: "app-secret", TokenURI: srv.URL + oauth2test.PathToken,
	}, &oauth2client.Token{AccessToken: access, RefreshToken: refresh, Expiry: time.Now().Add(-time.Minute)})
	if err := s.Save(ctx, "alice", creds.State()); err != nil {
		log.Fatal(err)
	}

	// Two holders, as two processes would have; the token has expired.
	a, err := store.Bind(ctx, s, "alice", nil)
	if err != nil {
		log.Fatal(err)
	}
	b, err := store.Bind(ctx, s, "alice", nil)
	if err != nil {
		log.Fatal(err)
	}
	ta, _ := a.Token(ctx)
	tb, _ := b.Token(ctx) // adopts a's token from the store
	stored, _ := s.Load(ctx, "alice")
	fmt.Println("same token:", ta.AccessToken == tb.AccessToken)
	fmt.Println("refresh requests:", srv.TokenRequests("refresh_token"))
	fmt.Println("rotated refresh token stored:", stored.Token.RefreshToken != refresh)
	// Output:
	// same token: true
	// refresh requests: 1
	// rotated refresh token stored: true
}
