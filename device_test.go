package oauth2client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// fakeClock is a clock that moves only when its Sleep is called.
type fakeClock struct {
	mu     sync.Mutex // guards now and sleeps
	now    time.Time
	sleeps []time.Duration
	after  func(time.Duration) // called on every Sleep, if set
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	after := c.after
	c.mu.Unlock()
	if after != nil {
		after(d)
	}
	return ctx.Err()
}

func (c *fakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.sleeps)
}

// deviceServer answers the device authorization endpoint with deviceBody
// (status deviceStatus) and the token endpoint with tokenBodies in turn,
// recording the forms it receives.
type deviceServer struct {
	*httptest.Server
	mu           sync.Mutex // guards the fields below
	deviceStatus int
	deviceBody   string
	tokenBodies  []string
	deviceForms  []map[string]string
	tokenForms   []map[string]string
	basicUsers   []string
}

func newDeviceServer(t *testing.T, status int, deviceBody string, tokenBodies ...string) *deviceServer {
	ds := &deviceServer{deviceStatus: status, deviceBody: deviceBody, tokenBodies: tokenBodies}
	mux := http.NewServeMux()
	form := func(r *http.Request) map[string]string {
		r.ParseForm()
		m := map[string]string{}
		for k := range r.PostForm {
			m[k] = r.PostForm.Get(k)
		}
		if u, _, ok := r.BasicAuth(); ok {
			ds.basicUsers = append(ds.basicUsers, u)
		}
		return m
	}
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		ds.mu.Lock()
		defer ds.mu.Unlock()
		ds.deviceForms = append(ds.deviceForms, form(r))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ds.deviceStatus)
		io.WriteString(w, ds.deviceBody)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		ds.mu.Lock()
		defer ds.mu.Unlock()
		ds.tokenForms = append(ds.tokenForms, form(r))
		body := `{"error":"authorization_pending"}`
		if len(ds.tokenBodies) > 0 {
			body, ds.tokenBodies = ds.tokenBodies[0], ds.tokenBodies[1:]
		}
		w.Header().Set("Content-Type", "application/json")
		if strings.Contains(body, `"error"`) {
			w.WriteHeader(http.StatusBadRequest)
		}
		io.WriteString(w, body)
	})
	ds.Server = httptest.NewServer(mux)
	t.Cleanup(ds.Close)
	return ds
}

func (ds *deviceServer) flow(t *testing.T, secret string, clock *fakeClock) *oauth2client.Flow {
	t.Helper()
	f, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:     "device-client",
		ClientSecret: secret,
		Endpoint: oauth2client.Endpoint{
			AuthURL:       ds.URL + "/auth",
			TokenURL:      ds.URL + "/token",
			DeviceAuthURL: ds.URL + "/device",
		},
		Scopes: []string{"openid", "email"},
		Now:    clock.Now,
		Sleep:  clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

const stdDeviceResponse = `{"device_code":"DEVICE-SECRET","user_code":"WDJB-MJHT",
	"verification_uri":"https://example.com/device",
	"verification_uri_complete":"https://example.com/device?user_code=WDJB-MJHT",
	"expires_in":1800,"interval":7}`

func TestDeviceAuth(t *testing.T) {
	epoch := newFakeClock().Now()
	tests := []struct {
		name    string
		status  int
		body    string
		secret  string
		want    *oauth2client.DeviceAuth
		wantErr func(error) bool
	}{
		{
			name: "RFC 8628 response", status: 200, body: stdDeviceResponse,
			want: &oauth2client.DeviceAuth{
				DeviceCode: "DEVICE-SECRET", UserCode: "WDJB-MJHT",
				VerificationURI:         "https://example.com/device",
				VerificationURIComplete: "https://example.com/device?user_code=WDJB-MJHT",
				ExpiresIn:               1800, Expiry: epoch.Add(1800 * time.Second),
				Interval: 7 * time.Second, Scopes: []string{"openid", "email"},
			},
		},
		{
			name: "Google spelling, no interval, confidential client", status: 200, secret: "s3cret",
			body: `{"device_code":"GOOGLE-DEVICE-CODE","user_code":"ABC-DEF","verification_url":"https://www.google.com/device","expires_in":"1800"}`,
			want: &oauth2client.DeviceAuth{
				DeviceCode: "GOOGLE-DEVICE-CODE", UserCode: "ABC-DEF", VerificationURI: "https://www.google.com/device",
				ExpiresIn: 1800, Expiry: epoch.Add(1800 * time.Second),
				Interval: oauth2client.DefaultDeviceInterval, Scopes: []string{"openid", "email"},
			},
		},
		{
			name: "error response", status: 401, body: `{"error":"invalid_client","error_description":"who?"}`,
			wantErr: func(err error) bool {
				e, ok := errors.AsType[*oauth2client.Error](err)
				return ok && e.Code == "invalid_client" && e.Endpoint == "device authorization" && e.StatusCode == 401
			},
		},
		{
			name: "no user code", status: 200, body: `{"device_code":"d","verification_uri":"https://x.example/d"}`,
			wantErr: func(err error) bool { return errors.Is(err, oauth2client.ErrMalformedResponse) },
		},
		{
			name: "verification URI not http", status: 200, body: `{"device_code":"d","user_code":"u","verification_uri":"javascript:alert(1)"}`,
			wantErr: func(err error) bool { return errors.Is(err, oauth2client.ErrMalformedResponse) },
		},
		{
			name: "verification URI over plain http", status: 200,
			body:    `{"device_code":"DEVICE-SECRET","user_code":"u","verification_uri":"http://x.example/d"}`,
			wantErr: malformedField("verification_uri"),
		},
		{
			name: "complete verification URI over plain http", status: 200,
			body: `{"device_code":"DEVICE-SECRET","user_code":"u","verification_uri":"https://x.example/d",
				"verification_uri_complete":"http://x.example/d?user_code=u"}`,
			wantErr: malformedField("verification_uri_complete"),
		},
		{
			name: "verification URI with user information", status: 200,
			body:    `{"device_code":"DEVICE-SECRET","user_code":"u","verification_uri":"https://good.example@evil.example/d"}`,
			wantErr: malformedField("verification_uri"),
		},
		{
			name: "verification URI with a bidi override", status: 200,
			body:    `{"device_code":"DEVICE-SECRET","user_code":"u","verification_uri":"https://x.example/\u202ed"}`,
			wantErr: malformedField("verification_uri"),
		},
		{
			name: "user code with a line break", status: 200,
			body:    `{"device_code":"DEVICE-SECRET","user_code":"AB\nlevel=ERROR msg=forged","verification_uri":"https://x.example/d"}`,
			wantErr: malformedField("user_code"),
		},
		{
			name: "user code with an escape sequence", status: 200,
			body:    `{"device_code":"DEVICE-SECRET","user_code":"\u001b[2JAB","verification_uri":"https://x.example/d"}`,
			wantErr: malformedField("user_code"),
		},
		{
			name: "user code over 64 bytes", status: 200,
			body:    `{"device_code":"DEVICE-SECRET","user_code":"` + strings.Repeat("A", 65) + `","verification_uri":"https://x.example/d"}`,
			wantErr: malformedField("user_code"),
		},
		{
			name: "interval not a number", status: 200, body: `{"device_code":"d","user_code":"u","verification_uri":"https://x.example/d","interval":true}`,
			wantErr: func(err error) bool { return errors.Is(err, oauth2client.ErrMalformedResponse) },
		},
		{
			name: "not JSON", status: 200, body: `<html>`,
			wantErr: func(err error) bool { return errors.Is(err, oauth2client.ErrMalformedResponse) },
		},
		{
			name: "oversized", status: 200, body: `{"x":"` + strings.Repeat("a", oauth2client.MaxResponseBody) + `"}`,
			wantErr: func(err error) bool { return errors.Is(err, oauth2client.ErrMalformedResponse) },
		},
		{
			name: "HTTP error without JSON", status: 503, body: `busy`,
			wantErr: func(err error) bool {
				e, ok := errors.AsType[*oauth2client.Error](err)
				return ok && e.StatusCode == 503 && e.Temporary()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := newDeviceServer(t, tt.status, tt.body)
			da, err := ds.flow(t, tt.secret, newFakeClock()).DeviceAuth(context.Background())
			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) {
					t.Fatalf("error %v (%T), not the one wanted", err, err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error quotes the secret: %v", err)
				}
				if e, ok := errors.AsType[*oauth2client.Error](err); ok &&
					strings.Contains(fmt.Sprintf("%+v %s", *e, e.Body), "DEVICE-SECRET") {
					t.Errorf("error keeps the device code: %+v %s", *e, e.Body)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(*da) != fmt.Sprint(*tt.want) {
				t.Errorf("got  %+v\nwant %+v", *da, *tt.want)
			}
			if s := fmt.Sprint(da); strings.Contains(s, da.DeviceCode) {
				t.Errorf("String %q shows the device code", s)
			}
			form := ds.deviceForms[0]
			if form["client_id"] != "device-client" || form["scope"] != "openid email" {
				t.Errorf("device request form %v", form)
			}
			if tt.secret != "" && (len(ds.basicUsers) != 1 || form["client_secret"] != "") {
				t.Errorf("confidential client did not authenticate with Basic: %v %v", ds.basicUsers, form)
			}
		})
	}
}

// malformedField matches an *Error of the device authorization endpoint
// for a malformed response whose message names field.
func malformedField(field string) func(error) bool {
	return func(err error) bool {
		e, ok := errors.AsType[*oauth2client.Error](err)
		return ok && e.Endpoint == "device authorization" && errors.Is(err, oauth2client.ErrMalformedResponse) &&
			strings.Contains(err.Error(), `"`+field+`"`)
	}
}

func TestDeviceAuthNoEndpoint(t *testing.T) {
	f, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "c",
		Endpoint: oauth2client.Endpoint{AuthURL: "https://x.example/a", TokenURL: "https://x.example/t"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.DeviceAuth(context.Background()); err == nil || !strings.Contains(err.Error(), "DeviceAuthURL") {
		t.Errorf("error %v, want one naming DeviceAuthURL", err)
	}
	if _, err := f.PollDevice(context.Background(), nil); err == nil {
		t.Error("PollDevice(nil) succeeded")
	}
}

func TestPollDevice(t *testing.T) {
	const success = `{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt"}`
	tests := []struct {
		name       string
		device     string
		tokens     []string
		wantSleeps []time.Duration
		wantErr    func(error) bool
	}{
		{
			name:       "pending, slow_down, success",
			device:     stdDeviceResponse,
			tokens:     []string{`{"error":"authorization_pending"}`, `{"error":"slow_down"}`, `{"error":"authorization_pending"}`, success},
			wantSleeps: []time.Duration{7 * time.Second, 7 * time.Second, 12 * time.Second, 12 * time.Second},
		},
		{
			name:       "default interval",
			device:     `{"device_code":"d","user_code":"u","verification_uri":"https://x.example/d","expires_in":600}`,
			tokens:     []string{success},
			wantSleeps: []time.Duration{5 * time.Second},
		},
		{
			name:    "expired_token",
			device:  stdDeviceResponse,
			tokens:  []string{`{"error":"authorization_pending"}`, `{"error":"expired_token"}`},
			wantErr: func(err error) bool { return errors.Is(err, oauth2client.ErrDeviceCodeExpired) },
		},
		{
			name:   "expiry by the clock",
			device: `{"device_code":"DEVICE-SECRET","user_code":"u","verification_uri":"https://x.example/d","expires_in":12,"interval":5}`,
			wantErr: func(err error) bool {
				return errors.Is(err, oauth2client.ErrDeviceCodeExpired)
			},
			wantSleeps: []time.Duration{5 * time.Second, 5 * time.Second, 5 * time.Second},
		},
		{
			name:    "access_denied",
			device:  stdDeviceResponse,
			tokens:  []string{`{"error":"access_denied"}`},
			wantErr: func(err error) bool { return errors.Is(err, oauth2client.ErrAccessDenied) },
		},
		{
			name:   "invalid_grant",
			device: stdDeviceResponse,
			tokens: []string{`{"error":"invalid_grant"}`},
			wantErr: func(err error) bool {
				e, ok := errors.AsType[*oauth2client.Error](err)
				return ok && errors.Is(err, oauth2client.ErrInvalidGrant) && e.Endpoint == "token"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := newDeviceServer(t, 200, tt.device, tt.tokens...)
			clock := newFakeClock()
			f := ds.flow(t, "", clock)
			ctx := context.Background()
			da, err := f.DeviceAuth(ctx)
			if err != nil {
				t.Fatal(err)
			}
			creds, err := f.PollDevice(ctx, da)
			if tt.wantSleeps != nil && !slices.Equal(clock.Sleeps(), tt.wantSleeps) {
				t.Errorf("slept %v, want %v", clock.Sleeps(), tt.wantSleeps)
			}
			if tt.wantErr != nil {
				if err == nil || !tt.wantErr(err) {
					t.Fatalf("error %v, not the one wanted", err)
				}
				if strings.Contains(err.Error(), da.DeviceCode) {
					t.Errorf("error quotes the device code: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tok := creds.CurrentToken()
			if tok.AccessToken != "at" || tok.RefreshToken != "rt" || !tok.Expiry.Equal(clock.Now().Add(time.Hour)) {
				t.Errorf("token %+v", tok)
			}
			cfg := creds.Config()
			if cfg.TokenURI != ds.URL+"/token" || !slices.Equal(cfg.Scopes, []string{"openid", "email"}) || cfg.ClientID != "device-client" {
				t.Errorf("credentials config %+v", cfg)
			}
			for _, form := range ds.tokenForms {
				if form["grant_type"] != oauth2client.GrantTypeDeviceCode || form["device_code"] != da.DeviceCode || form["client_id"] != "device-client" {
					t.Errorf("token request form %v", form)
				}
			}
		})
	}
}

func TestPollDeviceContext(t *testing.T) {
	ds := newDeviceServer(t, 200, stdDeviceResponse)
	clock := newFakeClock()
	ctx, cancel := context.WithCancel(context.Background())
	clock.after = func(time.Duration) {
		if len(clock.Sleeps()) == 3 {
			cancel()
		}
	}
	f := ds.flow(t, "", clock)
	da, err := f.DeviceAuth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.PollDevice(ctx, da); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if n := len(ds.tokenForms); n != 2 {
		t.Errorf("%d polls, want 2 before the cancel", n)
	}
}

// TestPollDeviceNetworkFailure backs off on connection failures, then
// gives up.
func TestPollDeviceNetworkFailure(t *testing.T) {
	clock := newFakeClock()
	f, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "c",
		Endpoint: oauth2client.Endpoint{AuthURL: "https://x.example/a", TokenURL: "https://x.example/t"},
		HTTPClient: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
			return nil, errors.New("connection refused")
		})},
		Now: clock.Now, Sleep: clock.Sleep,
	})
	if err != nil {
		t.Fatal(err)
	}
	da := &oauth2client.DeviceAuth{DeviceCode: "d", Interval: time.Second}
	_, err = f.PollDevice(context.Background(), da)
	if e, ok := errors.AsType[*oauth2client.Error](err); !ok || !e.Temporary() {
		t.Fatalf("error %v, want a temporary *Error", err)
	}
	want := []time.Duration{1, 2, 4, 8, 16, 32}
	for i := range want {
		want[i] *= time.Second
	}
	if !slices.Equal(clock.Sleeps(), want) {
		t.Errorf("slept %v, want %v", clock.Sleeps(), want)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDeviceFlowOAuth2Test runs the device flow against oauth2test, with a
// person approving on the verification page between polls.
func TestDeviceFlowOAuth2Test(t *testing.T) {
	for _, deny := range []bool{false, true} {
		t.Run(fmt.Sprintf("deny=%t", deny), func(t *testing.T) {
			clock := newFakeClock()
			srv := oauth2test.NewServer(&oauth2test.Options{
				Now:     clock.Now,
				Clients: []oauth2test.Client{{ID: "tv", Secret: "tv-secret"}},
			})
			defer srv.Close()
			ctx := context.Background()
			ep, err := oauth2client.Discover(ctx, srv.URL, &oauth2client.DiscoverOptions{HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			f, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID: "tv", ClientSecret: "tv-secret", Endpoint: *ep,
				Scopes: []string{"openid"}, Now: clock.Now, Sleep: clock.Sleep, HTTPClient: srv.Client(),
			})
			if err != nil {
				t.Fatal(err)
			}
			da, err := f.DeviceAuth(ctx)
			if err != nil {
				t.Fatal(err)
			}
			clock.after = func(time.Duration) {
				if len(clock.Sleeps()) == 2 {
					if deny {
						srv.DenyDevice(da.UserCode)
					} else {
						srv.ApproveDevice(da.UserCode, "dave")
					}
				}
			}
			creds, err := f.PollDevice(ctx, da)
			if deny {
				if !errors.Is(err, oauth2client.ErrAccessDenied) {
					t.Fatalf("error %v, want ErrAccessDenied", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sub := creds.IDTokenClaims()["sub"]; sub != "dave" {
				t.Errorf("sub %v, want dave", sub)
			}
			if n := srv.TokenRequests(oauth2client.GrantTypeDeviceCode); n != 2 {
				t.Errorf("%d polls, want 2", n)
			}
		})
	}
}

// FuzzDeviceAuth feeds arbitrary device authorization responses to
// Flow.DeviceAuth: it must return a DeviceAuth or an error, never panic.
func FuzzDeviceAuth(f *testing.F) {
	for _, s := range []string{
		stdDeviceResponse,
		`{"device_code":"d","user_code":"u","verification_url":"https://g.example/device"}`,
		`{"error":"slow_down"}`,
		`{"device_code":1,"user_code":"u","verification_uri":"https://x.example"}`,
		`{"device_code":"d","user_code":"u","verification_uri":"https://x.example","interval":"1e309","expires_in":-1}`,
		`null`, `[]`, ``,
	} {
		f.Add(200, s)
	}
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 999 {
			status = 200
		}
		flow, err := oauth2client.NewFlow(oauth2client.Config{
			ClientID: "c",
			Endpoint: oauth2client.Endpoint{AuthURL: "https://x.example/a", TokenURL: "https://x.example/t", DeviceAuthURL: "https://x.example/d"},
			HTTPClient: &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
				return &http.Response{StatusCode: status, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body))}, nil
			})},
		})
		if err != nil {
			t.Fatal(err)
		}
		da, err := flow.DeviceAuth(context.Background())
		if err == nil && (da.DeviceCode == "" || da.UserCode == "" || da.VerificationURI == "" || da.Interval <= 0) {
			t.Errorf("accepted an incomplete response: %+v", da)
		}
		if err == nil && (len(da.UserCode) > 64 || strings.ContainsFunc(da.UserCode+da.VerificationURI+
			da.VerificationURIComplete, func(r rune) bool { return !unicode.IsPrint(r) })) {
			t.Errorf("accepted what cannot be shown: %q %q %q", da.UserCode, da.VerificationURI, da.VerificationURIComplete)
		}
		if err != nil {
			return
		}
		for _, raw := range []string{da.VerificationURI, da.VerificationURIComplete} {
			if u, perr := url.Parse(raw); raw != "" && (perr != nil || !urlpolicy.Secure(u)) {
				t.Errorf("accepted verification URI %q", raw)
			}
		}
	})
}

// Sign a device in: show the user code, wait for approval, use the token.
// oauth2test with AutoApprove approves at once.
func ExampleFlow_DeviceAuth() {
	srv := oauth2test.NewServer(&oauth2test.Options{
		AutoApprove: true,
		Clients:     []oauth2test.Client{{ID: "my-tv-app"}},
	})
	defer srv.Close()
	ctx := context.Background()

	endpoint, err := oauth2client.Discover(ctx, srv.URL, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "my-tv-app",
		Endpoint: *endpoint,
		Scopes:   []string{"openid", "email"},
		// Poll without waiting, for the example; leave nil in programs.
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	da, err := flow.DeviceAuth(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Show the user where to go and what to type; never the device code.
	fmt.Printf("Visit %s and enter a code of %d characters (poll every %v)\n",
		strings.TrimPrefix(da.VerificationURI, srv.URL), len(da.UserCode), da.Interval)
	creds, err := flow.PollDevice(ctx, da)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("signed in as", creds.IDTokenClaims()["email"])
	// Output:
	// Visit /device and enter a code of 9 characters (poll every 5s)
	// signed in as alice@example.com
}
