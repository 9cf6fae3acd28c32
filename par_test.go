package oauth2client_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// parFlow returns a flow for client id (secret: empty for a public client)
// of srv, from discovery, with Config.PAR set to par.
func parFlow(t *testing.T, srv *oauth2test.Server, id, secret string, par bool) *oauth2client.Flow {
	t.Helper()
	endpoint, err := oauth2client.Discover(t.Context(), srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if endpoint.PushedAuthURL != srv.URL+oauth2test.PathPAR {
		t.Fatalf("discovered PushedAuthURL = %q", endpoint.PushedAuthURL)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: id, ClientSecret: secret, Endpoint: *endpoint, PAR: par,
		RedirectURL: "http://127.0.0.1:8080/cb", Scopes: []string{"openid", "offline_access"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return flow
}

// Issue 10, item 4: PAR, opted in or required by discovery, for
// confidential and public clients; the URL carries only client_id and
// request_uri, and the AuthState JSON round trip still exchanges.
func TestPARLogin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		requirePAR bool // the server's
		par        bool // the client's
		secret     string
	}{
		{"opt-in, confidential", false, true, "app-secret"},
		{"opt-in, public", false, true, ""},
		{"required by discovery", true, false, "app-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, RequirePAR: tt.requirePAR})
			t.Cleanup(srv.Close)
			if err := srv.RegisterClient(oauth2test.Client{ID: "app", Secret: tt.secret, AnyLoopbackRedirect: true}); err != nil {
				t.Fatal(err)
			}
			flow := parFlow(t, srv, "app", tt.secret, tt.par)
			if got := flow.Config().Endpoint.RequirePAR; got != tt.requirePAR {
				t.Errorf("discovered RequirePAR = %v, want %v", got, tt.requirePAR)
			}
			st, err := flow.Start(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			u, err := url.Parse(st.URL)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			if len(q) != 2 || q.Get("client_id") != "app" || q.Get("request_uri") == "" {
				t.Errorf("authorization URL query = %v, want only client_id and request_uri", q)
			}
			if got := srv.Requests(oauth2test.PathPAR); got != 1 {
				t.Errorf("PAR requests = %d, want 1", got)
			}
			data, err := json.Marshal(st)
			if err != nil {
				t.Fatal(err)
			}
			var back oauth2client.AuthState
			if err := json.Unmarshal(data, &back); err != nil {
				t.Fatal(err)
			}
			resumed, err := flow.Resume(&back)
			if err != nil {
				t.Fatal(err)
			}
			creds, err := resumed.ExchangeCallback(t.Context(), authorize(st.URL))
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if tok := creds.CurrentToken(); tok == nil || tok.AccessToken == "" || tok.RefreshToken == "" {
				t.Errorf("token = %v, want access and refresh tokens", tok)
			}
		})
	}
}

// Issue 10, bad input: a PAR endpoint answering an error, or nonsense.
func TestPARErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    *oauth2test.Fault
		secret   string
		wantCode string
		wantIs   error
	}{
		{"invalid_request", &oauth2test.Fault{Path: oauth2test.PathPAR, Error: "invalid_request"}, "app-secret", "invalid_request", nil},
		{"server error", &oauth2test.Fault{Path: oauth2test.PathPAR, Status: http.StatusServiceUnavailable}, "app-secret", "", nil},
		{"malformed answer", &oauth2test.Fault{Path: oauth2test.PathPAR, Malformed: true, Status: http.StatusCreated}, "app-secret", "", oauth2client.ErrMalformedResponse},
		{"no request_uri", &oauth2test.Fault{Path: oauth2test.PathPAR, Status: http.StatusCreated, Body: `{"expires_in":60}`, ContentType: "application/json"}, "app-secret", "", oauth2client.ErrMalformedResponse},
		{"no expires_in", &oauth2test.Fault{Path: oauth2test.PathPAR, Status: http.StatusCreated, Body: `{"request_uri":"urn:x"}`, ContentType: "application/json"}, "app-secret", "", oauth2client.ErrMalformedResponse},
		{"wrong client secret", nil, "not-the-secret", "invalid_client", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := appServer(t)
			if tt.fault != nil {
				srv.InjectFault(*tt.fault)
			}
			flow := parFlow(t, srv, "app", tt.secret, true)
			u, err := flow.AuthCodeURL(t.Context())
			var e *oauth2client.Error
			if !errors.As(err, &e) || e.Endpoint != "pushed authorization" {
				t.Fatalf("AuthCodeURL = %q, %v; want an *Error of the pushed authorization endpoint", u, err)
			}
			if e.Code != tt.wantCode {
				t.Errorf("Code = %q, want %q", e.Code, tt.wantCode)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("error %v is not %v", err, tt.wantIs)
			}
			if flow.Pending() != nil {
				t.Error("a failed push left a pending authorization")
			}
		})
	}
}

// Issue 10, bad input: a request_uri that expired comes back as
// invalid_request_uri; a request_uri is good for one authorization.
func TestPARRequestURIExpiredOrUsed(t *testing.T) {
	t.Parallel()
	srv := appServer(t)
	flow := parFlow(t, srv, "app", "app-secret", true)
	u, err := flow.AuthCodeURL(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	srv.Advance(oauth2test.DefaultPARTTL + time.Second)
	_, err = flow.ExchangeCallback(t.Context(), authorize(u))
	var ae *oauth2client.AuthorizationError
	if !errors.As(err, &ae) || ae.Code != "invalid_request_uri" {
		t.Fatalf("exchange after expiry: %v, want an AuthorizationError invalid_request_uri", err)
	}

	u, err = flow.AuthCodeURL(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flow.ExchangeCallback(t.Context(), authorize(u)); err != nil {
		t.Fatalf("first use: %v", err)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("second use of a request_uri: HTTP %d, want 400", resp.StatusCode)
	}
}

// NewFlow needs a PAR endpoint when PAR is asked for or required.
func TestNewFlowPARNeedsEndpoint(t *testing.T) {
	t.Parallel()
	base := oauth2client.Config{ClientID: "app", Endpoint: oauth2client.Endpoint{
		AuthURL: "https://as.example/authorize", TokenURL: "https://as.example/token"}}
	for _, tt := range []struct {
		name string
		edit func(*oauth2client.Config)
		want string
	}{
		{"PAR without endpoint", func(c *oauth2client.Config) { c.PAR = true }, "Endpoint.PushedAuthURL: missing, and PAR is set"},
		{"required without endpoint", func(c *oauth2client.Config) { c.Endpoint.RequirePAR = true }, "Endpoint.PushedAuthURL: missing, and Endpoint.RequirePAR is set"},
		{"plain http endpoint", func(c *oauth2client.Config) {
			c.PAR, c.Endpoint.PushedAuthURL = true, "http://as.example/par"
		}, "Endpoint.PushedAuthURL: "},
	} {
		cfg := base
		tt.edit(&cfg)
		_, err := oauth2client.NewFlow(cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: NewFlow = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
