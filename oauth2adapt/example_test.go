package oauth2adapt_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"golang.org/x/oauth2"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2adapt"
)

// An x/oauth2 client (here oauth2.Transport; a Google API client taking
// option.WithTokenSource works the same way) authorizing its requests with
// an oauth2client token source.
func ExampleTokenSourceToOAuth2() {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer example-token" {
			w.WriteHeader(http.StatusUnauthorized)
		}
		fmt.Fprint(w, "hello from the API")
	}))
	defer api.Close()

	// Usually *oauth2client.Credentials; any oauth2client.TokenSource works.
	var src oauth2client.TokenSource = oauth2client.StaticTokenSource(&oauth2client.Token{
		AccessToken: "example-token", Expiry: time.Now().Add(time.Hour),
	})
	client := &http.Client{Transport: &oauth2.Transport{Source: oauth2adapt.TokenSourceToOAuth2(src)}}
	resp, err := client.Get(api.URL)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	fmt.Println(resp.StatusCode, string(body))
	// Output: 200 hello from the API
}

// An x/oauth2 token source used where oauth2client expects one.
func ExampleTokenSourceFromOAuth2() {
	ts := oauth2.StaticTokenSource((&oauth2.Token{AccessToken: "example-token"}).
		WithExtra(map[string]any{"scope": "openid email"}))
	tok, err := oauth2adapt.TokenSourceFromOAuth2(ts).Token(context.Background())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(tok.Type(), tok.Scopes)
	// Output: Bearer [openid email]
}
