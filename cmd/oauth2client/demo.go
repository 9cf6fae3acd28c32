package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/oauth2test"
)

func init() {
	register(&command{
		name:    "demo",
		args:    "[flags]",
		summary: "tour the library end to end against an in-process server",
		help: `
Demo starts oauth2test, an in-process authorization server, and walks
through what a program does with this library, printing each step:
discovery, the authorization URL (with state and PKCE), the code exchange,
an authorized API call, a forced refresh, token info and revocation.

It needs no configuration and no network beyond loopback. Tokens are shown
shortened; codes, verifiers and secrets are never shown.`,
		examples: `
oauth2client demo`,
		run: runDemo,
	})
}

// runDemo is the demo command.
func runDemo(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	if code, ok := e.parseFlags(c, fs, args); !ok {
		return code
	}
	if err := demo(ctx, e.stdout); err != nil {
		return e.fail(c, err)
	}
	return exitOK
}

// demo is the tour; each step prints what it did.
func demo(ctx context.Context, out io.Writer) error {
	step := 0
	say := func(title string, lines ...string) {
		step++
		fmt.Fprintf(out, "%d. %s\n", step, title)
		for _, l := range lines {
			fmt.Fprintf(out, "   %s\n", l)
		}
	}

	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, TokenTTL: time.Hour})
	defer srv.Close()
	const clientID, redirect = "demo-client", "http://127.0.0.1:8080/oauth2callback"
	secret := rand.Text()
	if err := srv.RegisterClient(oauth2test.Client{
		ID: clientID, Secret: secret, AnyLoopbackRedirect: true, AuthMethod: oauth2test.AuthMethodBasic,
	}); err != nil {
		return err
	}
	say("Started an authorization server (oauth2test) for this demo",
		"issuer: "+srv.URL, "client: "+clientID+" (confidential, client_secret_basic)")

	endpoint, err := oauth2client.Discover(ctx, srv.URL, nil)
	if err != nil {
		return err
	}
	say("Discovered its endpoints (OpenID Connect Discovery)",
		"authorization: "+endpoint.AuthURL,
		"token:         "+endpoint.TokenURL,
		"revocation:    "+endpoint.RevocationURL,
		"introspection: "+endpoint.IntrospectionURL)

	verifier, err := idtoken.New(&idtoken.Options{Issuer: endpoint.Issuer, Audiences: []string{clientID}, JWKSURL: endpoint.JWKSURL})
	if err != nil {
		return err
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: clientID, ClientSecret: secret, Endpoint: *endpoint, RedirectURL: redirect,
		Scopes:          []string{"openid", "email", "https://www.googleapis.com/auth/calendar.readonly"},
		IDTokenVerifier: verifier,
	})
	if err != nil {
		return err
	}
	authURL, err := flow.AuthCodeURL(ctx, oauth2client.AccessTypeOffline())
	if err != nil {
		return err
	}
	q, _ := url.Parse(authURL)
	say("Built the authorization URL a user would open in a browser",
		endpoint.AuthURL+"?...",
		"scope="+q.Query().Get("scope"),
		"state: 256 random bits; PKCE: code_challenge_method="+q.Query().Get("code_challenge_method")+"; nonce for the ID token")

	callback, err := followToRedirect(authURL)
	if err != nil {
		return err
	}
	say("The user approved; the server redirected back",
		"to "+callback.Scheme+"://"+callback.Host+callback.Path+" with code, state and iss (RFC 9207)")

	creds, err := flow.ExchangeCallback(ctx, callback.Query())
	if err != nil {
		return err
	}
	tok := creds.CurrentToken()
	verified := "claims decoded, NOT verified"
	if creds.IDTokenVerified() {
		verified = "signature, issuer, audience, expiry and nonce verified against the server's JWKS"
	}
	say("Checked state and issuer, then exchanged the code (with the PKCE verifier) for credentials",
		"access token:  "+shorten(tok.AccessToken),
		"refresh token: "+present(tok.RefreshToken),
		"expires:       "+tok.Expiry.Format(time.RFC3339),
		"ID token for:  "+fmt.Sprint(creds.IDTokenClaims()["email"])+" ("+verified+")")

	api := srv.URL + oauth2test.PathCalendarList
	body, status, err := get(creds.Client(nil), api)
	if err != nil {
		return err
	}
	say("Called a protected API with the authorized *http.Client",
		"GET "+api, fmt.Sprintf("HTTP %d: %s", status, body))

	before := srv.TokenRequests("refresh_token")
	fresh, err := creds.Refresh(ctx)
	if err != nil {
		return err
	}
	say("Forced a refresh (credentials refresh on their own ahead of expiry)",
		"new access token: "+shorten(fresh.AccessToken),
		fmt.Sprintf("refresh requests at the server: %d", srv.TokenRequests("refresh_token")-before))

	scopes, err := creds.RetrieveScopes(ctx)
	if err != nil {
		return err
	}
	say("Asked the server which scopes the token holds (RFC 7662 introspection)",
		strings.Join(scopes, " "))

	if err := creds.Revoke(ctx); err != nil {
		return err
	}
	// The last access token, sent as it is: revoking the refresh token
	// revoked the access tokens issued with it.
	_, status, err = get(oauth2client.NewClient(oauth2client.StaticTokenSource(fresh), nil), api)
	if err != nil {
		return err
	}
	_, tokErr := creds.Token(ctx)
	say("Revoked the credentials (RFC 7009)",
		fmt.Sprintf("the API now rejects the last access token: HTTP %d", status),
		fmt.Sprintf("asking the credentials for a token now fails: invalid credentials = %t",
			errors.Is(tokErr, oauth2client.ErrInvalidCredentials)))

	say("Done. Next: 'oauth2client serve --auto-approve --client-secrets-out cs.json' runs this server for your own program.")
	return nil
}

// followToRedirect fetches authURL and returns the redirect to the client,
// without following it: the test server approves without a browser.
func followToRedirect(authURL string) (*url.URL, error) {
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL carries the state
		}
		return nil, fmt.Errorf("authorization request: %w", err)
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return nil, fmt.Errorf("authorization: HTTP %d without a redirect", resp.StatusCode)
	}
	return loc, nil
}

// get fetches u with client and returns the start of the body.
func get(client *http.Client, u string) (string, int, error) {
	resp, err := client.Get(u)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return "", 0, err
	}
	return strings.Join(strings.Fields(string(b)), " "), resp.StatusCode, nil
}

// shorten shows enough of a token to tell two apart, never all of it.
func shorten(s string) string {
	if len(s) <= 12 {
		return fmt.Sprintf("(%d characters)", len(s))
	}
	return fmt.Sprintf("%s… (%d characters)", s[:6], len(s))
}

// present says whether a secret value is there, without showing it.
func present(s string) string {
	if s == "" {
		return "none"
	}
	return fmt.Sprintf("received (%d characters, not shown)", len(s))
}
