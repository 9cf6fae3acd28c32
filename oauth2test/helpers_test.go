package oauth2test_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// epoch is the start of the fake clock used by tests.
var epoch = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

const (
	verifier   = "dBjftJeZ4CK-P7-verifier-0123456789-abcdefghijklmn"
	redirect   = "http://127.0.0.1:4242/callback"
	secret     = "s3cret"
	basicID    = "basic-client"
	postID     = "post-client"
	publicID   = "public-client"
	eitherID   = "either-client"
	calendarRO = "https://www.googleapis.com/auth/calendar.readonly"
)

func challenge(v string) string {
	sum := sha256.Sum256([]byte(v))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// testKey is one signing key shared by the tests' servers.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// newServer starts a server with the test clients and a fixed clock.
func newServer(t *testing.T, opts oauth2test.Options) *oauth2test.Server {
	t.Helper()
	opts.SigningKey = testKey()
	if opts.Now == nil {
		opts.Now = func() time.Time { return epoch }
	}
	opts.Clients = append(opts.Clients,
		oauth2test.Client{ID: basicID, Secret: secret, RedirectURIs: []string{"http://127.0.0.1/callback"}, AuthMethod: oauth2test.AuthMethodBasic},
		oauth2test.Client{ID: postID, Secret: secret, RedirectURIs: []string{"http://localhost/cb", "https://app.example/cb"}, AuthMethod: oauth2test.AuthMethodPost},
		oauth2test.Client{ID: publicID, AnyLoopbackRedirect: true},
		oauth2test.Client{ID: eitherID, Secret: secret, RedirectURIs: []string{"https://app.example/cb"}},
	)
	s := oauth2test.NewServer(&opts)
	t.Cleanup(s.Close)
	return s
}

// noRedirect returns a client for s that does not follow redirects.
func noRedirect(s *oauth2test.Server) *http.Client {
	c := *s.Client()
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// response is a read response.
type response struct {
	status int
	header http.Header
	body   string
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("response body %q: %v", r.body, err)
	}
	return m
}

func do(t *testing.T, c *http.Client, req *http.Request) response {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

func get(t *testing.T, s *oauth2test.Server, path string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, noRedirect(s), req)
}

// postForm posts form to path; user and pass, if user is not empty, go in a
// Basic Authorization header.
func postForm(t *testing.T, s *oauth2test.Server, path string, form url.Values, user, pass string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	return do(t, noRedirect(s), req)
}

// authorize sends an authorization request and returns the redirect's
// query, failing unless the server redirected.
func authorize(t *testing.T, s *oauth2test.Server, q url.Values) url.Values {
	t.Helper()
	r := get(t, s, oauth2test.PathAuthorize+"?"+q.Encode())
	if r.status != http.StatusFound && r.status != http.StatusSeeOther {
		t.Fatalf("authorize: status %d, body %s", r.status, r.body)
	}
	loc, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

// authQuery is a valid authorization request for the public client.
func authQuery(extra ...string) url.Values {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {publicID},
		"redirect_uri":          {redirect},
		"scope":                 {"openid email " + calendarRO},
		"state":                 {"st4te"},
		"nonce":                 {"n0nce"},
		"code_challenge":        {challenge(verifier)},
		"code_challenge_method": {"S256"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] == "" {
			q.Del(extra[i])
		} else {
			q.Set(extra[i], extra[i+1])
		}
	}
	return q
}

// codeTokens runs the auto-approved code flow for the public client and
// returns the token response.
func codeTokens(t *testing.T, s *oauth2test.Server, extra ...string) map[string]any {
	t.Helper()
	cb := authorize(t, s, authQuery(extra...))
	r := postForm(t, s, oauth2test.PathToken, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {cb.Get("code")},
		"redirect_uri":  {redirect},
		"client_id":     {publicID},
		"code_verifier": {verifier},
	}, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("token: status %d, body %s", r.status, r.body)
	}
	return r.json(t)
}

func refreshForm(rt string) url.Values {
	return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {publicID}}
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }
