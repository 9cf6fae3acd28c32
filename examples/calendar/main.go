// Command calendar is the Go version of oauth2client's classic sample:
//
//	credentials = flow.step2_exchange(code)
//	http = credentials.authorize(httplib2.Http())
//	service = build('calendar', 'v3', http=http)
//
// It runs the authorization-code flow against an in-process oauth2test
// server (standing in for Google), then lists calendars with the generated
// google.golang.org/api/calendar/v3 client, authorized by oauth2client: once
// with an *http.Client, once through golang.org/x/oauth2 via oauth2adapt,
// once through cloud.google.com/go/auth via authadapt.
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"

	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2adapt"
	"github.com/oauth2client/oauth2client/oauth2adapt/authadapt"
	"github.com/oauth2client/oauth2client/oauth2test"
)

func main() {
	if err := run(context.Background(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "calendar:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true})
	defer srv.Close()
	const redirect = "http://127.0.0.1:8080/oauth2callback"
	if err := srv.RegisterClient(oauth2test.Client{
		ID: "calendar-sample", Secret: "sample-secret", RedirectURIs: []string{redirect},
		AuthMethod: oauth2test.AuthMethodBasic,
	}); err != nil {
		return err
	}

	endpoint, err := oauth2client.Discover(ctx, srv.URL, nil)
	if err != nil {
		return err
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:     "calendar-sample",
		ClientSecret: "sample-secret",
		Endpoint:     *endpoint,
		RedirectURL:  redirect,
		Scopes:       []string{"https://www.googleapis.com/auth/calendar.readonly"},
	})
	if err != nil {
		return err
	}
	// A person would open this URL in a browser; the test server approves
	// at once and redirects to the redirect URI with the code.
	authURL, err := flow.AuthCodeURL(ctx, oauth2client.AccessTypeOffline())
	if err != nil {
		return err
	}
	query, err := approve(authURL)
	if err != nil {
		return err
	}
	creds, err := flow.ExchangeCallback(ctx, query)
	if err != nil {
		return err
	}

	// build('calendar', 'v3', http=credentials.authorize(http)):
	endpointOpt := option.WithEndpoint(srv.URL + "/calendar/v3/")
	service, err := calendar.NewService(ctx, option.WithHTTPClient(creds.Client(nil)), endpointOpt)
	if err != nil {
		return err
	}
	if err := list(ctx, out, "with an *http.Client", service); err != nil {
		return err
	}

	// The same credentials as an x/oauth2 TokenSource, the way every Google
	// Cloud Go client accepts them.
	service, err = calendar.NewService(ctx, option.WithTokenSource(oauth2adapt.TokenSourceToOAuth2(creds)), endpointOpt)
	if err != nil {
		return err
	}
	if err := list(ctx, out, "through golang.org/x/oauth2", service); err != nil {
		return err
	}

	// And as cloud.google.com/go/auth credentials, the way the newer
	// Google Cloud Go clients take them.
	service, err = calendar.NewService(ctx, option.WithAuthCredentials(authadapt.Credentials(creds, nil)), endpointOpt)
	if err != nil {
		return err
	}
	return list(ctx, out, "through cloud.google.com/go/auth", service)
}

func list(ctx context.Context, out io.Writer, how string, service *calendar.Service) error {
	calendars, err := service.CalendarList.List().Context(ctx).Do()
	if err != nil {
		return err
	}
	for _, c := range calendars.Items {
		fmt.Fprintf(out, "%s: %s (%s, primary %t)\n", how, c.Id, c.AccessRole, c.Primary)
	}
	return nil
}

// approve fetches the authorization URL and returns the query of the
// redirect to the client, without following it.
func approve(authURL string) (url.Values, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("authorization: HTTP %d without a redirect", resp.StatusCode)
	}
	return loc.Query(), nil
}
