package web

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/pgtest"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store/spec"
)

// replicaEnv is the environment variable that makes the test binary a
// replica of the app (see runReplica) instead of running tests.
const replicaEnv = "WEB_TEST_REPLICA"

func TestMain(m *testing.M) {
	if os.Getenv(replicaEnv) != "" {
		if err := runReplica(); err != nil {
			fmt.Fprintln(os.Stderr, "replica:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(pgtest.Main(m))
}

// runReplica serves the test app (testMux) from the settings in the
// environment, on a free loopback port it prints, until stdin closes.
// Its clock can be moved forward with POST /_test/advance?d=DURATION.
func runReplica() error {
	ctx := context.Background()
	st, err := spec.Open(ctx, os.Getenv("WEB_TEST_STORE"))
	if err != nil {
		return err
	}
	defer st.Close()
	keys, err := ParseCookieKeys(os.Getenv("WEB_TEST_COOKIE_KEYS"))
	if err != nil {
		return err
	}
	var offset atomic.Int64
	now := func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	app, err := New(Config{
		BaseURL:         os.Getenv("WEB_TEST_BASE_URL"),
		Issuer:          os.Getenv("WEB_TEST_ISSUER"),
		Flow:            oauth2client.Config{ClientID: testClient, ClientSecret: os.Getenv("WEB_TEST_CLIENT_SECRET"), Now: now},
		Store:           st,
		CookieKeys:      keys,
		RecheckInterval: 24 * time.Hour, // keep users in memory: a refresh must meet the other replica's
	})
	if err != nil {
		return err
	}
	mux := testMux(app)
	mux.HandleFunc("POST /_test/advance", func(w http.ResponseWriter, r *http.Request) {
		d, err := time.ParseDuration(r.URL.Query().Get("d"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		offset.Add(int64(d))
	})
	name := os.Getenv(replicaEnv)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Replica", name)
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()
	fmt.Println("listening", srv.URL)
	bufio.NewReader(os.Stdin).ReadByte() // until the test closes stdin
	return nil
}

// startReplica starts the test binary as a replica named name with env,
// and returns its URL.
func startReplica(t *testing.T, name string, env []string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, replicaEnv+"="+name)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	u, ok := strings.CutPrefix(strings.TrimSpace(line), "listening ")
	if err != nil || !ok {
		t.Fatalf("replica %s: %q, %v", name, line, err)
	}
	return u
}

// TestTwoReplicas runs the app in two processes sharing a PostgreSQL store
// and the cookie keys, behind a round-robin proxy: a user signed in through
// one is served by the other, and an expired token is refreshed once.
func TestTwoReplicas(t *testing.T) {
	dsn := pgtest.Start(t)
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true})
	defer srv.Close()
	const secret = "replica-secret"
	if err := srv.RegisterClient(oauth2test.Client{ID: testClient, Secret: secret, AnyLoopbackRedirect: true, AuthMethod: oauth2test.AuthMethodBasic}); err != nil {
		t.Fatal(err)
	}

	// The load balancer: a few lines alternating between the replicas.
	var (
		backends []*url.URL
		next     atomic.Int64
		mu       sync.Mutex
		served   []string // "path replica" per request
	)
	lb := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(backends[next.Add(1)%int64(len(backends))])
			r.Out.Host = r.In.Host
		},
		ModifyResponse: func(resp *http.Response) error {
			mu.Lock()
			served = append(served, resp.Request.URL.Path+" "+resp.Header.Get("X-Replica"))
			mu.Unlock()
			return nil
		},
	})
	defer lb.Close()

	env := []string{
		"WEB_TEST_STORE=" + dsn,
		"WEB_TEST_COOKIE_KEYS=" + FormatCookieKeys(NewCookieKey(), NewCookieKey()),
		"WEB_TEST_BASE_URL=" + lb.URL,
		"WEB_TEST_ISSUER=" + srv.URL,
		"WEB_TEST_CLIENT_SECRET=" + secret,
	}
	replicas := []string{startReplica(t, "a", env), startReplica(t, "b", env)}
	for _, r := range replicas {
		backends = append(backends, must(url.Parse(r)))
	}

	b := newBrowser()
	status, body := b.get(t, lb.URL+"/calendars")
	if status != http.StatusOK || !strings.HasPrefix(body, "calendars of alice") || !strings.Contains(body, "api 200") {
		t.Fatalf("sign-in through the balancer: %d %q", status, body)
	}
	// The callback ran on one replica, the page after it on the other.
	mu.Lock()
	log := strings.Join(served, ", ")
	mu.Unlock()
	if !strings.Contains(log, "/oauth2callback a, /calendars b") && !strings.Contains(log, "/oauth2callback b, /calendars a") {
		t.Errorf("requests served: %s; want the callback and the page on different replicas", log)
	}
	// Both replicas serve the user.
	for range 2 {
		if status, body := b.get(t, lb.URL+"/calendars"); status != http.StatusOK || !strings.Contains(body, "api 200") {
			t.Fatalf("signed in: %d %q", status, body)
		}
	}

	// Two hours later every token has expired; both replicas call the API
	// at once, and the token is refreshed once between them.
	refreshes := srv.TokenRequests("refresh_token")
	srv.Advance(2 * time.Hour)
	for _, r := range replicas {
		resp, err := http.Post(r+"/_test/advance?d=2h", "", nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("advancing %s: %v %v", r, resp, err)
		}
		resp.Body.Close()
	}
	var wg sync.WaitGroup
	results := make([]string, 2)
	for i := range 2 {
		wg.Go(func() {
			resp, err := b.client.Get(lb.URL + "/calendars")
			if err != nil {
				results[i] = err.Error()
				return
			}
			results[i] = fmt.Sprintf("%d %s", resp.StatusCode, readBody(resp))
		})
	}
	wg.Wait()
	for _, r := range results {
		if !strings.HasPrefix(r, "200 ") || !strings.Contains(r, "api 200") {
			t.Errorf("after expiry: %s", r)
		}
	}
	mu.Lock()
	last := served[len(served)-2:]
	mu.Unlock()
	if last[0][len(last[0])-1] == last[1][len(last[1])-1] {
		t.Errorf("after expiry the pages were served by %q, want both replicas", last)
	}
	if got := srv.TokenRequests("refresh_token") - refreshes; got != 1 {
		t.Errorf("%d refresh requests between the replicas, want 1", got)
	}
	t.Logf("replicas: requests served %s; 1 refresh for 2 replicas", log)
}
