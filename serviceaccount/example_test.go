package serviceaccount_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/serviceaccount"
)

// A service account's key file, from oauth2test here, gets tokens with the
// JWT-bearer grant; a thousand calls make one token request.
func Example() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	keyFile, err := srv.RegisterServiceAccount("robot@example.iam.gserviceaccount.com")
	if err != nil {
		log.Fatal(err)
	}

	key, err := serviceaccount.ParseJSONKey(keyFile) // or ReadJSONKeyFile(path)
	if err != nil {
		log.Fatal(err)
	}
	src, err := serviceaccount.NewTokenSource(key, &serviceaccount.Config{
		Scopes:     []string{"openid", "email"},
		HTTPClient: srv.Client(),
	})
	if err != nil {
		log.Fatal(err)
	}
	for range 1000 {
		if _, err := src.Token(context.Background()); err != nil {
			log.Fatal(err)
		}
	}
	tok, _ := src.Token(context.Background())
	fmt.Println(key.Email(), tok.Type(), tok.Scopes)
	fmt.Println("token requests:", srv.TokenRequests(serviceaccount.GrantType))
	// Output:
	// robot@example.iam.gserviceaccount.com Bearer [openid email]
	// token requests: 1
}

// A self-signed JWT is an access token for Google APIs without any token
// request.
func ExampleNewJWTAccessSource() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	keyFile, err := srv.RegisterServiceAccount("robot@example.iam.gserviceaccount.com")
	if err != nil {
		log.Fatal(err)
	}
	key, err := serviceaccount.ParseJSONKey(keyFile)
	if err != nil {
		log.Fatal(err)
	}
	src, err := serviceaccount.NewJWTAccessSource(key, &serviceaccount.Config{
		Audience: "https://pubsub.googleapis.com/",
	})
	if err != nil {
		log.Fatal(err)
	}
	tok, err := src.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Type(), "JWT segments:", strings.Count(tok.AccessToken, ".")+1)
	fmt.Println("token requests:", srv.TokenRequests(serviceaccount.GrantType))
	// Output:
	// Bearer JWT segments: 3
	// token requests: 0
}

// A service account gets ID tokens for an audience (here a Cloud Run
// service) from its token endpoint; the service verifies them with package
// idtoken. The tokens are cached: three calls, one token request.
func ExampleNewIDTokenSource() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	keyFile, err := srv.RegisterServiceAccount("robot@example.iam.gserviceaccount.com")
	if err != nil {
		log.Fatal(err)
	}
	key, err := serviceaccount.ParseJSONKey(keyFile)
	if err != nil {
		log.Fatal(err)
	}
	const audience = "https://hello-abc123-uc.a.run.app"
	src, err := serviceaccount.NewIDTokenSource(key, audience, &serviceaccount.Config{
		HTTPClient: srv.Client(),
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	var tok string
	for range 3 {
		t, err := src.Token(ctx) // t.AccessToken == t.IDToken: send it as a bearer token
		if err != nil {
			log.Fatal(err)
		}
		tok = t.IDToken
	}

	// The receiving service verifies the token against the issuer's keys.
	v, err := idtoken.NewFromDiscovery(ctx, srv.Issuer(), &idtoken.Options{Audiences: []string{audience}})
	if err != nil {
		log.Fatal(err)
	}
	claims, err := v.Verify(ctx, tok)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(claims.Email, claims.Audience)
	fmt.Println("token requests:", srv.TokenRequests(serviceaccount.GrantType))
	// Output:
	// robot@example.iam.gserviceaccount.com [https://hello-abc123-uc.a.run.app]
	// token requests: 1
}
