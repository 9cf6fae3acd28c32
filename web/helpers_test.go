package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/syncbuf"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
)

const (
	testClient   = "web-client"
	scopeCal     = "https://www.googleapis.com/auth/calendar.readonly"
	scopeContact = "https://www.googleapis.com/auth/contacts.readonly"
)

// env is an app under test: an oauth2test server, a store, and the app
// served on a loopback port with pages "/" (Aware), "/calendars"
// (Required(scopeCal)) and "/contacts" (Required(scopeContact)).
type env struct {
	t      testing.TB
	srv    *oauth2test.Server
	store  *countingStore
	keys   [][]byte
	app    *App
	url    string
	logs   *syncbuf.Buffer
	secret string

	handler atomic.Pointer[http.Handler]
}

// envOptions tune newEnv.
type envOptions struct {
	serverOpts *oauth2test.Options // nil: AutoApprove
	config     func(*Config)       // changes to the app's config
}

func newEnv(t testing.TB, o envOptions) *env {
	t.Helper()
	so := o.serverOpts
	if so == nil {
		so = &oauth2test.Options{AutoApprove: true}
	}
	e := &env{t: t, srv: oauth2test.NewServer(so), store: &countingStore{Store: store.NewMemory()}, logs: &syncbuf.Buffer{}}
	t.Cleanup(e.srv.Close)
	e.secret = "secret-" + t.Name()
	if err := e.srv.RegisterClient(oauth2test.Client{ID: testClient, Secret: e.secret, AnyLoopbackRedirect: true, AuthMethod: oauth2test.AuthMethodBasic}); err != nil {
		t.Fatal(err)
	}
	e.keys = [][]byte{NewCookieKey()}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		(*e.handler.Load()).ServeHTTP(w, r)
	}))
	ts.Listener.Close()
	ts.Listener = ln
	ts.Start()
	t.Cleanup(ts.Close)
	e.url = ts.URL
	e.app = e.newApp(o.config)
	return e
}

// config returns the app's config for the env.
func (e *env) config() Config {
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return Config{
		BaseURL:    e.url,
		Issuer:     e.srv.URL,
		Flow:       oauth2client.Config{ClientID: testClient, ClientSecret: e.secret, Logger: logger},
		Store:      e.store,
		CookieKeys: e.keys,
		Logger:     logger,
	}
}

// newApp makes an app for the env with the changes of fn (nil: none) and
// serves it.
func (e *env) newApp(fn func(*Config)) *App {
	e.t.Helper()
	cfg := e.config()
	if fn != nil {
		fn(&cfg)
	}
	app, err := New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	e.serve(app)
	return app
}

// serve makes app the one the env's server runs.
func (e *env) serve(app *App) {
	e.app = app
	var h http.Handler = testMux(app)
	e.handler.Store(&h)
}

// testMux is the test application.
func testMux(app *App) *http.ServeMux {
	mux := http.NewServeMux()
	app.Register(mux)
	mux.Handle("/{$}", app.Aware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := UserFrom(r.Context()); ok {
			fmt.Fprintf(w, "home: signed in as %s", u.Subject)
			return
		}
		fmt.Fprintf(w, "home: signed out; sign in at %s", app.LoginURL("/"))
	})))
	page := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			u, _ := UserFrom(r.Context())
			resp, err := ClientFrom(r.Context()).Get(apiURL(r.Context()))
			if err != nil {
				http.Error(w, "api: "+err.Error(), http.StatusBadGateway)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			fmt.Fprintf(w, "%s of %s (%s): api %d; scopes %s", name, u.Subject, u.Email, resp.StatusCode, strings.Join(ScopesFrom(r.Context()), " "))
		})
	}
	mux.Handle("/calendars", app.Required(scopeCal)(page("calendars")))
	mux.Handle("/contacts", app.Required(scopeContact)(page("contacts")))
	return mux
}

// apiURL is the calendar API of the issuer of the signed-in user.
func apiURL(ctx context.Context) string {
	u, _ := UserFrom(ctx)
	return u.Issuer + oauth2test.PathCalendarList
}

// browser is a cookie jar with a client that follows redirects and keeps
// every URL it visited.
type browser struct {
	jar     *cookiejar.Jar
	client  *http.Client
	mu      sync.Mutex
	visited []*url.URL
}

func newBrowser() *browser {
	jar, _ := cookiejar.New(nil)
	b := &browser{jar: jar}
	b.client = &http.Client{Jar: jar, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		b.mu.Lock()
		b.visited = append(b.visited, req.URL)
		b.mu.Unlock()
		return nil
	}}
	return b
}

// noFollow returns a client sharing b's jar that does not follow
// redirects.
func (b *browser) noFollow() *http.Client {
	return &http.Client{Jar: b.jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// get fetches u following redirects and returns the final status and body.
func (b *browser) get(t testing.TB, u string, header ...string) (int, string) {
	t.Helper()
	return do(t, b.client, u, header...)
}

// step fetches u without following a redirect: status, Location, body.
func (b *browser) step(t testing.TB, u string, header ...string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	return b.send(t, req, header)
}

// post POSTs an empty form to u, as a page of the site would (header
// pairs with an empty value remove that header), without following a
// redirect: status, Location, body.
func (b *browser) post(t testing.TB, u string, header ...string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(""))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.send(t, req, header)
}

// send makes req with the header pairs, without following a redirect.
func (b *browser) send(t testing.TB, req *http.Request, header []string) (int, string, string) {
	t.Helper()
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
			continue
		}
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.noFollow().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, location(req.URL.String(), resp), string(body)
}

// location returns the Location of resp, the answer to a request for u,
// as an absolute URL ("" for none).
func location(u string, resp *http.Response) string {
	loc := resp.Header.Get("Location")
	if loc == "" {
		return ""
	}
	base, _ := url.Parse(u)
	l, _ := base.Parse(loc)
	return l.String()
}

// logout signs b out of the app at base with the sign-out button.
func (b *browser) logout(t testing.TB, base string) {
	t.Helper()
	if status, _, body := b.post(t, base+"/logout"); status != http.StatusSeeOther {
		t.Fatalf("logout: %d %q", status, body)
	}
}

func do(t testing.TB, c *http.Client, u string, header ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// startSignIn opens page in b without following redirects, checks it is
// sent to the authorization endpoint, and follows that one step: it
// returns the callback URL, with its code and state, not yet visited.
func (e *env) startSignIn(b *browser, page string) string {
	e.t.Helper()
	status, loc, _ := b.step(e.t, e.url+page)
	if status != http.StatusFound || !strings.HasPrefix(loc, e.srv.URL) {
		e.t.Fatalf("GET %s: %d to %q, want 302 to the authorization endpoint", page, status, loc)
	}
	status, cb, _ := b.step(e.t, loc)
	if status != http.StatusFound || !strings.HasPrefix(cb, e.url) {
		e.t.Fatalf("authorization: %d to %q, want 302 to the callback", status, cb)
	}
	return cb
}

// checkHome checks that the home page (Aware) sees alice signed in, or
// no one.
func (e *env) checkHome(b *browser, signedIn bool) {
	e.t.Helper()
	want := "home: signed out; sign in at /login"
	if signedIn {
		want = "home: signed in as alice"
	}
	if _, body := b.get(e.t, e.url+"/"); body != want {
		e.t.Errorf("home: %q, want %q", body, want)
	}
}

// cookie returns the value of b's cookie name for the app, or "".
func (e *env) cookie(b *browser, name string) string {
	u, _ := url.Parse(e.url)
	for _, c := range b.jar.Cookies(u) {
		if c.Name == name {
			return c.Value
		}
	}
	return ""
}

// checkNoSecrets fails if the logs or the visited URLs hold a token or
// the client secret.
func (e *env) checkNoSecrets(b *browser, secrets ...string) {
	e.t.Helper()
	secrets = append(secrets, e.secret)
	for _, key := range e.keysOf() {
		st, err := e.store.Store.Load(context.Background(), key)
		if err == nil && st.Token != nil {
			secrets = append(secrets, st.Token.AccessToken, st.Token.RefreshToken, st.Token.IDToken)
		}
	}
	logs := e.logs.String()
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(logs, s) {
			e.t.Errorf("a secret is in the logs:\n%s", logs)
		}
		if b == nil {
			continue
		}
		b.mu.Lock()
		for _, u := range b.visited {
			if strings.Contains(u.String(), s) {
				e.t.Errorf("a token is in the URL %s", u.Redacted())
			}
		}
		b.mu.Unlock()
	}
}

func (e *env) keysOf() []string {
	keys, _ := e.store.Store.List(context.Background())
	return keys
}

// errStoreDown is the error of a countingStore set to fail.
var errStoreDown = errors.New("store is down")

// countingStore counts reads and can be made to fail.
type countingStore struct {
	store.Store
	loads, updates atomic.Int64
	failing        atomic.Bool
}

func (s *countingStore) Load(ctx context.Context, key string) (*oauth2client.CredentialsState, error) {
	s.loads.Add(1)
	if s.failing.Load() {
		return nil, errStoreDown
	}
	return s.Store.Load(ctx, key)
}

func (s *countingStore) Update(ctx context.Context, key string, fn store.UpdateFunc) error {
	s.updates.Add(1)
	if s.failing.Load() {
		return errStoreDown
	}
	return s.Store.Update(ctx, key, fn)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
