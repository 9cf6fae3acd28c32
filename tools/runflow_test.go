package tools_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/syncbuf"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/tools"
)

const clientID = "cli-app"

// testKey is one signing key shared by the tests' servers.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// newServer starts oauth2test with a public client accepting any loopback
// redirect.
func newServer(t *testing.T, autoApprove bool) *oauth2test.Server {
	t.Helper()
	srv := oauth2test.NewServer(&oauth2test.Options{
		AutoApprove: autoApprove,
		SigningKey:  testKey(),
		Clients:     []oauth2test.Client{{ID: clientID, AnyLoopbackRedirect: true}},
	})
	t.Cleanup(srv.Close)
	return srv
}

// newFlow returns a flow for srv's public client; without device, the
// endpoint has no DeviceAuthURL. Device polls do not wait.
func newFlow(t *testing.T, srv *oauth2test.Server, device bool) *oauth2client.Flow {
	t.Helper()
	ep, err := oauth2client.Discover(context.Background(), srv.URL, &oauth2client.DiscoverOptions{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if !device {
		ep.DeviceAuthURL = ""
	}
	f, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:   clientID,
		Endpoint:   *ep,
		Scopes:     []string{"openid", "email"},
		HTTPClient: srv.Client(),
		Sleep:      func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// browser plays the user's browser: it records the URL it was asked to
// open and what the last page said.
type browser struct {
	t       *testing.T
	client  *http.Client
	mu      sync.Mutex // guards the fields below
	opened  []string
	status  int
	page    string
	visitFn func(b *browser, u string) // what to do on open; default follow
}

func newBrowser(t *testing.T) *browser {
	return &browser{t: t, client: &http.Client{Transport: &http.Transport{Proxy: nil}}}
}

// Open is Options.OpenBrowser.
func (b *browser) Open(u string) error {
	b.mu.Lock()
	b.opened = append(b.opened, u)
	fn := b.visitFn
	b.mu.Unlock()
	if fn != nil {
		fn(b, u)
	} else {
		b.get(u)
	}
	return nil
}

// get follows u and its redirects and records the final page.
func (b *browser) get(u string) {
	resp, err := b.client.Get(u)
	if err != nil {
		b.t.Errorf("browser: GET: %v", err)
		return
	}
	b.record(resp)
}

func (b *browser) record(resp *http.Response) {
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	b.mu.Lock()
	defer b.mu.Unlock()
	b.status, b.page = resp.StatusCode, string(body)
}

func (b *browser) last() (int, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.status, b.page
}

// redirectURI returns the redirect_uri of the authorization URL opened.
func (b *browser) redirectURI(t *testing.T) *url.URL {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.opened) == 0 {
		t.Fatal("no browser was opened")
	}
	au, err := url.Parse(b.opened[0])
	if err != nil {
		t.Fatal(err)
	}
	ru, err := url.Parse(au.Query().Get("redirect_uri"))
	if err != nil {
		t.Fatal(err)
	}
	return ru
}

var requestRE = regexp.MustCompile(`name="request" value="([^"]+)"`)

// deny answers oauth2test's consent page with Deny.
func deny(b *browser, authURL string) {
	resp, err := b.client.Get(authURL)
	if err != nil {
		b.t.Errorf("browser: %v", err)
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	m := requestRE.FindSubmatch(body)
	if m == nil {
		b.t.Errorf("browser: no consent form in %s", body)
		return
	}
	au, _ := url.Parse(authURL)
	resp, err = b.client.PostForm(au.Scheme+"://"+au.Host+oauth2test.PathAuthorize,
		url.Values{"request": {string(m[1])}, "action": {"deny"}})
	if err != nil {
		b.t.Errorf("browser: %v", err)
		return
	}
	b.record(resp)
}

func TestRunFlowLoopback(t *testing.T) {
	tests := []struct {
		name        string
		autoApprove bool
		opts        tools.Options
		visit       func(*browser, string)
		wantHost    string
		wantStatus  int
		wantPage    string
		wantErr     error
	}{
		{name: "success", autoApprove: true, wantHost: "127.0.0.1", wantStatus: 200, wantPage: tools.SuccessPage},
		{name: "localhost", autoApprove: true, opts: tools.Options{HostName: "localhost", CallbackPath: "/oauth2callback"},
			wantHost: "localhost", wantStatus: 200, wantPage: tools.SuccessPage},
		{name: "access denied", visit: deny, wantHost: "127.0.0.1", wantStatus: 400, wantPage: "access_denied", wantErr: oauth2client.ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, tt.autoApprove)
			b := newBrowser(t)
			b.visitFn = tt.visit
			var stderr syncbuf.Buffer
			opts := tt.opts
			opts.OpenBrowser, opts.Stderr = b.Open, &stderr
			mem := store.NewMemory()
			creds, err := tools.RunFlow(context.Background(), newFlow(t, srv, true), mem, "me", &opts)
			status, page := b.last()
			if status != tt.wantStatus || !strings.Contains(page, tt.wantPage) {
				t.Errorf("browser page %d %q, want %d with %q", status, page, tt.wantStatus, tt.wantPage)
			}
			ru := b.redirectURI(t)
			if ru.Hostname() != tt.wantHost || ru.Port() == "" || ru.Port() == "0" {
				t.Errorf("redirect_uri %s, want host %s and a port", ru, tt.wantHost)
			}
			if !strings.Contains(stderr.String(), "\n"+b.opened[0]+"\n") {
				t.Errorf("the URL is not printed on its own line:\n%s", stderr.String())
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				if keys, _ := mem.List(context.Background()); len(keys) != 0 {
					t.Errorf("stored %v after a failure", keys)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			stored, err := mem.Load(context.Background(), "me")
			if err != nil {
				t.Fatal(err)
			}
			if stored.Token.AccessToken != creds.CurrentToken().AccessToken {
				t.Error("stored credentials differ from those returned")
			}
			if cfg := creds.Config(); cfg.Store != mem || cfg.StoreKey != "me" {
				t.Errorf("returned credentials are not bound to the store entry")
			}
			if creds.IDTokenClaims()["sub"] != oauth2test.DefaultUser {
				t.Errorf("sub %v", creds.IDTokenClaims()["sub"])
			}
			// The loopback server is gone.
			if c, err := net.Dial("tcp", net.JoinHostPort("127.0.0.1", ru.Port())); err == nil {
				c.Close()
				t.Error("the loopback server still listens")
			}
		})
	}
}

// TestRunFlowIgnoresStrays: a favicon request and a forged redirect with
// a wrong state get error answers, and the real redirect still succeeds.
func TestRunFlowIgnoresStrays(t *testing.T) {
	srv := newServer(t, true)
	b := newBrowser(t)
	var strays []string
	b.visitFn = func(b *browser, authURL string) {
		au, _ := url.Parse(authURL)
		ru, _ := url.Parse(au.Query().Get("redirect_uri"))
		for _, path := range []string{
			"/favicon.ico",
			ru.Path + "?code=forged&state=wrong",
			ru.Path + "?error=access_denied",
			ru.Path,
		} {
			resp, err := b.client.Get("http://" + ru.Host + path)
			if err != nil {
				t.Errorf("GET %s: %v", path, err)
				continue
			}
			resp.Body.Close()
			strays = append(strays, strconv.Itoa(resp.StatusCode))
		}
		b.get(authURL)
	}
	_, err := tools.RunFlow(context.Background(), newFlow(t, srv, false), nil, "", &tools.Options{OpenBrowser: b.Open, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strays, ","); got != "404,400,400,404" {
		t.Errorf("stray requests answered %s, want 404,400,400,404", got)
	}
	if _, page := b.last(); !strings.Contains(page, tools.SuccessPage) {
		t.Errorf("page %q", page)
	}
}

func TestRunFlowTimeoutAndCancel(t *testing.T) {
	tests := []struct {
		name    string
		timeout time.Duration
		cancel  bool
		want    error
	}{
		{"timeout", time.Millisecond, false, context.DeadlineExceeded},
		{"cancel", time.Hour, true, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, true)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var opened string
			open := func(u string) error {
				opened = u
				if tt.cancel {
					cancel()
				}
				return nil
			}
			_, err := tools.RunFlow(ctx, newFlow(t, srv, true), nil, "", &tools.Options{
				OpenBrowser: open, Stderr: io.Discard, Timeout: tt.timeout,
			})
			if !errors.Is(err, tt.want) {
				t.Fatalf("error %v, want %v", err, tt.want)
			}
			au, _ := url.Parse(opened)
			ru, _ := url.Parse(au.Query().Get("redirect_uri"))
			if c, err := net.Dial("tcp", ru.Host); err == nil {
				c.Close()
				t.Error("the loopback server still listens")
			}
		})
	}
}

// busyPort returns a port that is in use until the test ends.
func busyPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// freePort returns a port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func TestRunFlowPorts(t *testing.T) {
	busy, free := busyPort(t), freePort(t)
	srv := newServer(t, true)
	b := newBrowser(t)
	_, err := tools.RunFlow(context.Background(), newFlow(t, srv, true), nil, "", &tools.Options{
		Ports: []int{busy, free}, OpenBrowser: b.Open, Stderr: io.Discard,
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.redirectURI(t).Port(); got != strconv.Itoa(free) {
		t.Errorf("redirect port %s, want %d (the first free one)", got, free)
	}
}

// TestRunFlowDevice: without a local web server (asked for, or every port
// busy) the device flow runs when the endpoint offers it.
func TestRunFlowDevice(t *testing.T) {
	tests := []struct {
		name string
		opts func(t *testing.T) tools.Options
	}{
		{"NoLocalWebServer", func(*testing.T) tools.Options { return tools.Options{NoLocalWebServer: true} }},
		{"Device", func(*testing.T) tools.Options { return tools.Options{Device: true} }},
		{"ports busy", func(t *testing.T) tools.Options { return tools.Options{Ports: []int{busyPort(t)}} }},
		{"QR code", func(*testing.T) tools.Options { return tools.Options{Device: true, QRCode: true} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, true)
			var stderr syncbuf.Buffer
			opts := tt.opts(t)
			opts.Stderr = &stderr
			opts.OpenBrowser = func(string) error { t.Error("a browser was opened in the device flow"); return nil }
			mem := store.NewMemory()
			creds, err := tools.RunFlow(context.Background(), newFlow(t, srv, true), mem, "tv", &opts)
			if err != nil {
				t.Fatal(err)
			}
			if creds.CurrentToken().RefreshToken == "" {
				t.Error("no refresh token")
			}
			out := stderr.String()
			if !strings.Contains(out, "\n"+srv.URL+oauth2test.PathDevice+"\n") ||
				!regexp.MustCompile(`enter the code: [A-Z]{4}-[A-Z]{4}\n`).MatchString(out) ||
				!strings.Contains(out, srv.URL+oauth2test.PathDevice+"?user_code=") {
				t.Errorf("device prompt:\n%s", out)
			}
			if strings.Contains(out, "dc-") {
				t.Errorf("the device code was printed:\n%s", out)
			}
			if drawn := strings.Contains(out, "Or scan:\n\n█"); drawn != opts.QRCode {
				t.Errorf("QR code drawn %t, want %t:\n%s", drawn, opts.QRCode, out)
			}
			if n := srv.TokenRequests(oauth2client.GrantTypeDeviceCode); n != 1 {
				t.Errorf("%d device polls, want 1", n)
			}
			if _, err := mem.Load(context.Background(), "tv"); err != nil {
				t.Errorf("not stored: %v", err)
			}
		})
	}
}

// TestRunFlowPaste: without a local web server and without a device
// endpoint, the user pastes the final URL (or the code).
func TestRunFlowPaste(t *testing.T) {
	tests := []struct {
		name    string
		answer  func(location *url.URL) string
		wantErr error
	}{
		{"URL", func(l *url.URL) string { return l.String() }, nil},
		{"query", func(l *url.URL) string { return l.RawQuery }, nil},
		{"bare code", func(l *url.URL) string { return "  " + l.Query().Get("code") + "  " }, nil},
		{"wrong state", func(l *url.URL) string {
			q := l.Query()
			q.Set("state", "forged")
			return "http://127.0.0.1/?" + q.Encode()
		}, oauth2client.ErrStateMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, true)
			stdinR, stdinW := io.Pipe()
			defer stdinW.Close()
			b := newBrowser(t)
			b.visitFn = func(b *browser, authURL string) {
				// The browser gets a redirect to a page that does not load;
				// the user copies its address.
				c := *b.client
				c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
				resp, err := c.Get(authURL)
				if err != nil {
					t.Errorf("browser: %v", err)
					return
				}
				resp.Body.Close()
				loc, err := resp.Location()
				if err != nil {
					t.Errorf("browser: %v", err)
					return
				}
				go io.WriteString(stdinW, tt.answer(loc)+"\n")
			}
			// The browser is on another machine: the user reads the URL
			// from the terminal and visits it there.
			stderr := &urlReader{visit: b.Open}
			creds, err := tools.RunFlow(context.Background(), newFlow(t, srv, false), nil, "", &tools.Options{
				NoLocalWebServer: true, Stdin: stdinR, Stderr: stderr,
				OpenBrowser: func(string) error { t.Error("a browser was opened with NoLocalWebServer"); return nil },
			})
			if strings.Contains(stderr.String(), "browser has been opened") {
				t.Errorf("stderr claims a browser was opened:\n%s", stderr.String())
			}
			if ru := b.redirectURI(t); ru.String() != "http://127.0.0.1/" {
				t.Errorf("redirect_uri %s, want http://127.0.0.1/", ru)
			}
			if !strings.Contains(stderr.String(), "\n"+b.opened[0]+"\n") {
				t.Errorf("the URL is not printed on its own line:\n%s", stderr.String())
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if creds.CurrentToken().AccessToken == "" {
				t.Error("no access token")
			}
		})
	}
}

// urlReader is a terminal read by a user on another machine: the first
// line written to it that starts with http is visited.
type urlReader struct {
	syncbuf.Buffer
	visit func(string) error
	once  sync.Once
}

func (u *urlReader) Write(p []byte) (int, error) {
	n, err := u.Buffer.Write(p)
	for line := range strings.Lines(string(p)) {
		if line = strings.TrimSpace(line); strings.HasPrefix(line, "http") {
			u.once.Do(func() { _ = u.visit(line) })
			break
		}
	}
	return n, err
}

func TestRunFlowPasteErrors(t *testing.T) {
	tests := []struct {
		name, stdin, want string
	}{
		{"empty", "\n", "nothing was pasted"},
		{"eof", "", "reading the pasted answer"},
		{"garbage", "not a code at all\n", "neither a URL"},
		{"URL without code", "http://127.0.0.1/?foo=bar\n", "neither a code nor an error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, true)
			_, err := tools.RunFlow(context.Background(), newFlow(t, srv, false), nil, "", &tools.Options{
				NoLocalWebServer: true, NoBrowser: true, Stdin: strings.NewReader(tt.stdin), Stderr: io.Discard,
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestRunFlowBadOptions(t *testing.T) {
	srv := newServer(t, true)
	for _, o := range []tools.Options{
		{HostName: "example.com"},
		{HostName: "0.0.0.0"},
		{Ports: []int{70000}},
		{CallbackPath: "cb"},
	} {
		if _, err := tools.RunFlow(context.Background(), newFlow(t, srv, false), nil, "", &o); err == nil {
			t.Errorf("options %+v accepted", o)
		}
	}
	_, err := tools.RunFlow(context.Background(), newFlow(t, srv, false), nil, "", &tools.Options{Device: true})
	if err == nil {
		t.Fatal("Device without a DeviceAuthURL accepted")
	}
	// The message names the issuer and speaks of the device flow, not of
	// Go fields.
	if msg := err.Error(); !strings.Contains(msg, "the issuer "+srv.URL+" offers no device flow") || strings.Contains(msg, "DeviceAuthURL") {
		t.Errorf("error %q, want the issuer named and no field name", msg)
	}
}

// TestRunFlowErrorsNotDoubled: an error of the library passed on by
// RunFlow does not get a second package prefix.
func TestRunFlowErrorsNotDoubled(t *testing.T) {
	srv := newServer(t, false)
	b := newBrowser(t)
	b.visitFn = func(b *browser, authURL string) {
		u, _ := url.Parse(authURL)
		q := u.Query()
		redirect := q.Get("redirect_uri") + "?error=access_denied&iss=" + url.QueryEscape(srv.URL) + "&state=" + url.QueryEscape(q.Get("state"))
		b.get(redirect)
	}
	_, err := tools.RunFlow(context.Background(), newFlow(t, srv, false), nil, "", &tools.Options{OpenBrowser: b.Open, Stderr: io.Discard})
	if !errors.Is(err, oauth2client.ErrAccessDenied) {
		t.Fatalf("error %v, want access_denied", err)
	}
	if strings.HasPrefix(err.Error(), "tools: oauth2client: ") {
		t.Errorf("error %q has two package prefixes", err)
	}
}
