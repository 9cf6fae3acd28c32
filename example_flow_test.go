package oauth2client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"

	"github.com/oauth2client/oauth2client"
)

// newExampleServer starts a minimal authorization server on 127.0.0.1 for
// the examples: discovery, an authorization endpoint that approves at once
// (or denies for login_hint=deny), and a token endpoint that checks PKCE.
func newExampleServer() *httptest.Server {
	var (
		mu         sync.Mutex
		challenges = map[string]string{} // code -> code_challenge
	)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer":                                         srv.URL,
			"authorization_endpoint":                         srv.URL + "/authorize",
			"token_endpoint":                                 srv.URL + "/token",
			"revocation_endpoint":                            srv.URL + "/revoke",
			"token_endpoint_auth_methods_supported":          []string{"client_secret_basic", "none"},
			"code_challenge_methods_supported":               []string{"S256"},
			"authorization_response_iss_parameter_supported": true,
		})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		back := url.Values{"state": {q.Get("state")}, "iss": {srv.URL}}
		if q.Get("login_hint") == "deny" {
			back.Set("error", "access_denied")
		} else {
			code := "code-" + q.Get("state")[:8]
			mu.Lock()
			challenges[code] = q.Get("code_challenge")
			mu.Unlock()
			back.Set("code", code)
		}
		http.Redirect(w, r, q.Get("redirect_uri")+"?"+back.Encode(), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		challenge, ok := challenges[r.PostFormValue("code")]
		delete(challenges, r.PostFormValue("code"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok || oauth2client.S256Challenge(r.PostFormValue("code_verifier")) != challenge {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_grant"}`)
			return
		}
		fmt.Fprint(w, `{"access_token":"example-access-token","token_type":"Bearer","expires_in":3600,"refresh_token":"example-refresh-token"}`)
	})
	return srv
}

// authorize plays the user's browser: it follows the authorization URL and
// returns the query of the redirect back to the client.
func authorize(authURL string) url.Values {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		log.Fatal(err)
	}
	return loc.Query()
}

func ExampleParseClientSecrets() {
	data := []byte(`{"installed": {
		"client_id": "123-abc.apps.googleusercontent.com",
		"client_secret": "GOCSPX-example",
		"auth_uri": "https://accounts.google.com/o/oauth2/auth",
		"token_uri": "https://oauth2.googleapis.com/token",
		"redirect_uris": ["http://localhost"]}}`)
	cs, err := oauth2client.ParseClientSecrets(data, "client_secrets.json")
	if err != nil {
		log.Fatal(err)
	}
	cfg := cs.Config("", "openid", "email")
	fmt.Println(cs.Type, cs.ClientID)
	fmt.Println(cfg.RedirectURL, cfg.Endpoint.Issuer, cfg.Endpoint.RevocationURL)

	_, err = oauth2client.ParseClientSecrets([]byte(`{"web": {"client_id": "[[INSERT CLIENT ID HERE]]"}}`), "cs.json")
	fmt.Println(err)
	// Output:
	// installed 123-abc.apps.googleusercontent.com
	// http://localhost https://accounts.google.com https://oauth2.googleapis.com/revoke
	// oauth2client: client secrets "cs.json": web.client_id: is a placeholder; replace it with the real value
}

func ExampleDiscover() {
	srv := newExampleServer()
	defer srv.Close()

	ep, err := oauth2client.Discover(context.Background(), srv.URL, &oauth2client.DiscoverOptions{HTTPClient: srv.Client()})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.TrimPrefix(ep.AuthURL, srv.URL), strings.TrimPrefix(ep.TokenURL, srv.URL))
	fmt.Println(ep.TokenAuthMethods, ep.ResponseIssParameter)

	// The issuer must match the document exactly.
	_, err = oauth2client.Discover(context.Background(), srv.URL+"/", &oauth2client.DiscoverOptions{HTTPClient: srv.Client()})
	fmt.Println(errors.Is(err, oauth2client.ErrIssuerMismatch))
	// Output:
	// /authorize /token
	// [client_secret_basic none] true
	// true
}

// A command-line program: the Flow holds the pending authorization.
func ExampleFlow() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()

	ep, err := oauth2client.Discover(ctx, srv.URL, &oauth2client.DiscoverOptions{HTTPClient: srv.Client()})
	if err != nil {
		log.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:    "my-cli",
		Endpoint:    *ep,
		RedirectURL: "http://127.0.0.1:8085/callback",
		Scopes:      []string{"openid", "email"},
		HTTPClient:  srv.Client(),
	})
	if err != nil {
		log.Fatal(err)
	}
	authURL, err := flow.AuthCodeURL(ctx, oauth2client.AccessTypeOffline(), oauth2client.Prompt("consent"))
	if err != nil {
		log.Fatal(err)
	}

	// The user visits authURL; the browser comes back to the redirect URL.
	query := authorize(authURL)

	creds, err := flow.ExchangeCallback(ctx, query)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := creds.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.AccessToken, creds.Config().AuthStyle)
	// Output: example-access-token none
}

// A web application keeps each pending authorization, as JSON, between the
// redirect and the callback.
func ExampleFlow_Resume() {
	srv := newExampleServer()
	defer srv.Close()
	ctx := context.Background()
	ep, err := oauth2client.Discover(ctx, srv.URL, &oauth2client.DiscoverOptions{HTTPClient: srv.Client()})
	if err != nil {
		log.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:     "my-web-app",
		ClientSecret: "web-app-secret",
		Endpoint:     *ep,
		RedirectURL:  "https://app.example/callback",
		Scopes:       []string{"email"},
		HTTPClient:   srv.Client(),
	})
	if err != nil {
		log.Fatal(err)
	}

	// Handler for /login: start, keep the state server-side, redirect.
	st, err := flow.Start(ctx, oauth2client.LoginHint("user@example.com"))
	if err != nil {
		log.Fatal(err)
	}
	saved, err := json.Marshal(st)
	if err != nil {
		log.Fatal(err)
	}
	query := authorize(st.URL)

	// Handler for /callback: load the state, resume, exchange.
	var back oauth2client.AuthState
	if err := json.Unmarshal(saved, &back); err != nil {
		log.Fatal(err)
	}
	pending, err := flow.Resume(&back)
	if err != nil {
		log.Fatal(err)
	}
	creds, err := pending.ExchangeCallback(ctx, query)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.CurrentToken().RefreshToken, creds.Config().AuthStyle)
	fmt.Println(strings.Contains(string(saved), "web-app-secret"))

	// A user who clicks "Deny".
	st, err = flow.Start(ctx, oauth2client.LoginHint("deny"))
	if err != nil {
		log.Fatal(err)
	}
	pending, _ = flow.Resume(st)
	_, err = pending.ExchangeCallback(ctx, authorize(st.URL))
	fmt.Println(err, errors.Is(err, oauth2client.ErrAccessDenied))
	// Output:
	// example-refresh-token client_secret_basic
	// false
	// oauth2client: authorization failed: access_denied true
}
