package tools_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/tools"
)

// Sign in from a command-line program and keep the credentials. Here
// oauth2test approves at once and a function plays the browser; a real
// program leaves OpenBrowser nil and uses signal.NotifyContext so that
// Ctrl-C cancels.
func ExampleRunFlow() {
	srv := oauth2test.NewServer(&oauth2test.Options{
		AutoApprove: true,
		Clients:     []oauth2test.Client{{ID: "my-cli", AnyLoopbackRedirect: true}},
	})
	defer srv.Close()
	ctx := context.Background()

	endpoint, err := oauth2client.Discover(ctx, srv.URL, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "my-cli",
		Endpoint: *endpoint,
		Scopes:   []string{"openid", "email"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	browser := func(url string) error {
		resp, err := http.Get(url) // follows the redirect to RunFlow's loopback server
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		page, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
		fmt.Printf("browser shows: %s", page)
		return nil
	}
	creds := store.NewMemory()
	c, err := tools.RunFlow(ctx, flow, creds, "me", &tools.Options{
		OpenBrowser: browser,
		Stderr:      io.Discard, // os.Stderr by default: the URL is always printed
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return
	}
	keys, _ := creds.List(ctx)
	fmt.Println("signed in as", c.IDTokenClaims()["email"], "- stored under", keys)
	// Output:
	// browser shows: The authentication flow has completed. You may close this window.
	// signed in as alice@example.com - stored under [me]
}
