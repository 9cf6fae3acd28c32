package oauthhttp

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// sleeps records the waits of a Retry without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

// answers serves the given statuses in turn (the last one repeats), with
// the header h, and counts the requests.
func answers(t *testing.T, h http.Header, statuses ...int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(statuses[min(i, len(statuses)-1)])
		io.WriteString(w, `{}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestDoRetries(t *testing.T) {
	t.Parallel()
	policy := Retry{Max: 2, Backoff: time.Second, MaxWait: 30 * time.Second}
	tests := []struct {
		name       string
		header     http.Header
		statuses   []int
		once       bool // BeforeSendOnly
		wantStatus int
		wantTries  int32
		wantWaits  []time.Duration // exact waits; nil: as many jittered backoffs as retries
	}{
		{name: "503 then 200", statuses: []int{503, 200}, wantStatus: 200, wantTries: 2},
		{name: "500, 502, then 200", statuses: []int{500, 502, 200}, wantStatus: 200, wantTries: 3},
		{name: "always 503", statuses: []int{503}, wantStatus: 503, wantTries: 3},
		{name: "429 Retry-After", header: http.Header{"Retry-After": {"7"}}, statuses: []int{429, 200},
			wantStatus: 200, wantTries: 2, wantWaits: []time.Duration{7 * time.Second}},
		{name: "Retry-After over the cap", header: http.Header{"Retry-After": {"31"}}, statuses: []int{503, 200},
			wantStatus: 503, wantTries: 1, wantWaits: []time.Duration{}},
		{name: "400 not retried", statuses: []int{400, 200}, wantStatus: 400, wantTries: 1, wantWaits: []time.Duration{}},
		{name: "401 not retried", statuses: []int{401, 200}, wantStatus: 401, wantTries: 1, wantWaits: []time.Duration{}},
		{name: "302 not followed nor retried", header: http.Header{"Location": {"/elsewhere"}}, statuses: []int{302, 200},
			wantStatus: 302, wantTries: 1, wantWaits: []time.Duration{}},
		{name: "before-send-only: 503 not retried", statuses: []int{503, 200}, once: true, wantStatus: 503, wantTries: 1, wantWaits: []time.Duration{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, n := answers(t, tt.header, tt.statuses...)
			s := &sleeps{}
			p := policy
			p.Sleep, p.BeforeSendOnly = s.sleep, tt.once
			resp, err := Do(context.Background(), &Request{Endpoint: "token", URL: srv.URL, Form: url.Values{"a": {"b"}}, Retry: p})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.wantStatus || n.Load() != tt.wantTries {
				t.Errorf("status %d after %d tries, want %d after %d", resp.StatusCode, n.Load(), tt.wantStatus, tt.wantTries)
			}
			if tt.wantWaits != nil {
				if len(s.d) != len(tt.wantWaits) || (len(s.d) > 0 && s.d[0] != tt.wantWaits[0]) {
					t.Errorf("waits %v, want %v", s.d, tt.wantWaits)
				}
				return
			}
			for i, d := range s.d {
				full := time.Second << i
				if d < full/2 || d > full {
					t.Errorf("wait %d is %v, want within [%v, %v]", i, d, full/2, full)
				}
			}
		})
	}
}

// closedAddr returns the address of a loopback port nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestDoConnectionFailures(t *testing.T) {
	t.Parallel()
	// resets accepts connections, reads the request and closes them
	// without an answer.
	var resets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resets.Add(1)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // a reset, not a clean close
			}
			conn.Close()
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		name      string
		url       string
		once      bool
		wantWaits int
	}{
		{"refused: retried", "http://" + closedAddr(t) + "/token", false, 2},
		{"refused, before-send-only: retried", "http://" + closedAddr(t) + "/token", true, 2},
		{"reset: retried", srv.URL, false, 2},
		{"reset, before-send-only: not retried", srv.URL, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &sleeps{}
			_, err := Do(context.Background(), &Request{Endpoint: "token", URL: tc.url, Form: url.Values{},
				Retry: Retry{Max: 2, Backoff: time.Millisecond, Sleep: s.sleep, BeforeSendOnly: tc.once}})
			if err == nil {
				t.Fatal("no error")
			}
			if len(s.d) != tc.wantWaits {
				t.Errorf("%d waits (%v), want %d; error %v", len(s.d), s.d, tc.wantWaits, err)
			}
		})
	}
}

func TestDoRefusesURLs(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	for _, u := range []string{"http://example.com/token", "ftp://127.0.0.1/x", "/relative", "https://u:p@example.com/", "http://127.0.0.1/\x7f"} {
		_, err := Do(context.Background(), &Request{Field: "Config.TokenURL", URL: u, Form: url.Values{"secret": {"s"}},
			Authenticate: func(context.Context, url.Values, http.Header) error { n.Add(1); return nil }})
		var se *SetupError
		if !errors.As(err, &se) || se.Field != "Config.TokenURL" || !strings.HasPrefix(err.Error(), "Config.TokenURL: ") {
			t.Errorf("%q: error %v, want a SetupError naming the field", u, err)
		}
	}
	_, err := Do(context.Background(), &Request{Field: "F", URL: "http://example.com/"})
	if !errors.Is(err, urlpolicy.ErrInsecure) {
		t.Errorf("error %v is not ErrInsecure", err)
	}
	if n.Load() != 0 {
		t.Errorf("client authentication ran %d times for refused URLs", n.Load())
	}
}

func TestDoBoundedBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(bytes.Repeat([]byte("x"), MaxBody+1))
	}))
	defer srv.Close()
	s := &sleeps{}
	resp, err := Do(context.Background(), &Request{URL: srv.URL, Retry: Retry{Max: 2, Sleep: s.sleep}})
	if !errors.Is(err, ErrBodyTooLarge) || resp == nil || resp.StatusCode != 200 || len(s.d) != 0 {
		t.Fatalf("resp %v, err %v, waits %v; want the status, ErrBodyTooLarge, no retry", resp, err, s.d)
	}
}

// TestDoHooksPerTry: client authentication and the proof are applied to
// each try, on copies; the nonce retry happens once, outside the budget.
func TestDoHooksPerTry(t *testing.T) {
	t.Parallel()
	type seen struct{ proof, auth, form string }
	var mu sync.Mutex
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		got = append(got, seen{r.Header.Get("Proof"), r.Header.Get("Authorization"), r.PostForm.Encode()})
		n := len(got)
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Nonce", "n1")
			w.WriteHeader(400)
			return
		}
		w.WriteHeader(503)
	}))
	defer srv.Close()
	form := url.Values{"grant_type": {"x"}}
	header := http.Header{"User-Agent": {"ua"}}
	var tries, proofs, nonceAsks atomic.Int32
	s := &sleeps{}
	resp, err := Do(context.Background(), &Request{
		URL: srv.URL, Form: form, Header: header,
		Authenticate: func(_ context.Context, f url.Values, h http.Header) error {
			f.Set("client_id", "c")
			h.Set("Authorization", "Basic x")
			tries.Add(1)
			return nil
		},
		Prove: func(_ context.Context, method, u string, h http.Header) error {
			if method != http.MethodPost || u != srv.URL || h.Get("Authorization") == "" {
				t.Errorf("Prove(%s, %s) before authentication", method, u)
			}
			h.Set("Proof", "p"+string(rune('0'+proofs.Add(1))))
			return nil
		},
		NonceRetry: func(r *Response) bool {
			nonceAsks.Add(1)
			return r.Header.Get("Nonce") != ""
		},
		Retry: Retry{Max: 1, Sleep: s.sleep},
	})
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("resp %v, err %v", resp, err)
	}
	if len(got) != 3 || got[0].proof != "p1" || got[1].proof != "p2" || got[2].proof != "p3" {
		t.Errorf("server saw %+v, want 3 tries with fresh proofs", got)
	}
	for _, g := range got {
		if g.auth != "Basic x" || g.form != "client_id=c&grant_type=x" {
			t.Errorf("try %+v lacks client authentication", g)
		}
	}
	if len(form) != 1 || len(header) != 1 || nonceAsks.Load() != 1 || len(s.d) != 1 {
		t.Errorf("form %v, header %v changed; nonce asked %d times; waits %v", form, header, nonceAsks.Load(), s.d)
	}
}

func TestDoSetupFailures(t *testing.T) {
	t.Parallel()
	srv, n := answers(t, nil, 200)
	boom := errors.New("boom")
	for name, r := range map[string]*Request{
		"auth":  {URL: srv.URL, Form: url.Values{}, Authenticate: func(context.Context, url.Values, http.Header) error { return boom }},
		"proof": {URL: srv.URL, Form: url.Values{}, Prove: func(context.Context, string, string, http.Header) error { return boom }},
	} {
		_, err := Do(context.Background(), r)
		var se *SetupError
		if !errors.As(err, &se) || !errors.Is(err, boom) {
			t.Errorf("%s: error %v", name, err)
		}
	}
	if n.Load() != 0 {
		t.Errorf("server saw %d requests", n.Load())
	}
}

// TestDoContextWins: a wait cut short by the caller returns the last answer
// with ctx's error, so that its status is not lost.
func TestDoContextWins(t *testing.T) {
	t.Parallel()
	srv, _ := answers(t, http.Header{"Retry-After": {"5"}}, 503)
	ctx, cancel := context.WithCancel(context.Background())
	resp, err := Do(ctx, &Request{URL: srv.URL, Retry: Retry{Max: 5, MaxWait: time.Minute,
		Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if resp == nil || resp.StatusCode != 503 {
		t.Fatalf("response %+v, want the last answer, a 503", resp)
	}
}

// TestDoContextWinsAfterFailure: a wait after a failed try, cut short,
// returns an error wrapping both the try's failure and ctx's error.
func TestDoContextWinsAfterFailure(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	ctx, cancel := context.WithCancel(context.Background())
	client := &http.Client{Transport: roundTripFunc(func(*http.Request) (*http.Response, error) {
		return nil, boom
	})}
	_, err := Do(ctx, &Request{URL: "https://as.example/token", Client: client,
		Retry: Retry{Max: 5, Backoff: time.Second,
			Sleep: func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }}})
	if !errors.Is(err, context.Canceled) || !errors.Is(err, boom) {
		t.Fatalf("error %v, want both the failure and context.Canceled", err)
	}
}

// TestDoDeadlineEndsRetries: a retry whose wait would outlast the context's
// deadline is not waited for: the last answer comes back at once as final.
func TestDoDeadlineEndsRetries(t *testing.T) {
	t.Parallel()
	srv, n := answers(t, http.Header{"Retry-After": {"7200"}}, 503, 200)
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	s := &sleeps{}
	resp, err := Do(ctx, &Request{URL: srv.URL, Retry: Retry{Max: 5, Backoff: time.Second,
		MaxWait: 24 * time.Hour, Sleep: s.sleep}})
	if err != nil || resp == nil || resp.StatusCode != 503 {
		t.Fatalf("Do = %+v, %v; want the 503 and no error", resp, err)
	}
	if n.Load() != 1 || len(s.d) != 0 {
		t.Errorf("server saw %d requests after waits %v, want 1 and none", n.Load(), s.d)
	}
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDoLogs: each try, answer and wait is logged at debug level, without
// the URL's query, the form or the headers.
func TestDoLogs(t *testing.T) {
	t.Parallel()
	srv, _ := answers(t, nil, 503, 200)
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := &sleeps{}
	_, err := Do(context.Background(), &Request{Endpoint: "token", URL: srv.URL + "/t?key=QUERYSECRET",
		Form: url.Values{"refresh_token": {"FORMSECRET"}}, Header: http.Header{"X-Secret": {"HEADERSECRET"}},
		Authenticate: func(_ context.Context, f url.Values, h http.Header) error {
			h.Set("Authorization", "Basic AUTHSECRET")
			return nil
		},
		Retry: Retry{Max: 2, Backoff: time.Second, Sleep: s.sleep}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"endpoint=token attempt=1 status=503", "oauth2client: retrying", "backoff=", "attempt=2 status=200"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{"SECRET", srv.URL} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q:\n%s", secret, out)
		}
	}
}

func TestDefaultClientLimits(t *testing.T) {
	t.Parallel()
	c := DefaultClient()
	tr, ok := c.Transport.(*http.Transport)
	if !ok || c.Timeout != RequestTimeout || tr.TLSHandshakeTimeout != TLSHandshakeTimeout ||
		tr.ResponseHeaderTimeout != ResponseHeaderTimeout || tr.DialContext == nil || c.CheckRedirect == nil {
		t.Fatalf("default client %+v lacks its limits", c)
	}
	custom := &http.Client{Timeout: time.Second}
	if cc := clientFor(custom); cc == custom || cc.Timeout != time.Second || cc.CheckRedirect == nil || custom.CheckRedirect != nil {
		t.Errorf("clientFor changed the caller's client or lost its settings")
	}
}
