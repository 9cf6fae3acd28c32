package oauth2client

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// rejectingSource serves numbered tokens and counts TokenRejected calls.
type rejectingSource struct {
	mu       sync.Mutex // guards cur and n
	cur      *Token
	n        int
	rejected atomic.Int32
	err      error // returned by TokenRejected when set
}

func (s *rejectingSource) Token(context.Context) (*Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		s.n++
		s.cur = &Token{AccessToken: "tok-" + string(rune('0'+s.n))}
	}
	return s.cur, nil
}

func (s *rejectingSource) TokenRejected(_ context.Context, t *Token) (*Token, error) {
	s.rejected.Add(1)
	if s.err != nil {
		return nil, s.err
	}
	s.mu.Lock()
	if s.cur == t {
		s.cur = nil
	}
	s.mu.Unlock()
	return s.Token(context.Background())
}

// trackedBody records whether it was closed.
type trackedBody struct {
	io.Reader
	closed atomic.Bool
}

func (b *trackedBody) Close() error { b.closed.Store(true); return nil }

func TestTransport(t *testing.T) {
	tests := []struct {
		name         string
		accept       func(auth string) bool // which Authorization headers the server accepts
		body         string                 // request body; empty means none
		noGetBody    bool                   // drop GetBody, so the body cannot be replayed
		rejectErr    error                  // TokenRejected fails
		wantStatus   int
		wantRequests int32
		wantRejected int32
		wantAuths    []string
	}{
		{
			name:   "header set",
			accept: func(string) bool { return true }, wantStatus: 200, wantRequests: 1,
			wantAuths: []string{"Bearer tok-1"},
		},
		{
			name:   "401 then retry succeeds",
			accept: func(a string) bool { return a == "Bearer tok-2" }, wantStatus: 200,
			wantRequests: 2, wantRejected: 1, wantAuths: []string{"Bearer tok-1", "Bearer tok-2"},
		},
		{
			name:   "401 then retry with replayed body",
			accept: func(a string) bool { return a == "Bearer tok-2" }, body: "payload", wantStatus: 200,
			wantRequests: 2, wantRejected: 1, wantAuths: []string{"Bearer tok-1", "Bearer tok-2"},
		},
		{
			name:   "401 twice returns the second 401",
			accept: func(string) bool { return false }, wantStatus: 401,
			wantRequests: 2, wantRejected: 1, wantAuths: []string{"Bearer tok-1", "Bearer tok-2"},
		},
		{
			name:   "non-replayable body: no retry",
			accept: func(string) bool { return false }, body: "payload", noGetBody: true, wantStatus: 401,
			wantRequests: 1, wantAuths: []string{"Bearer tok-1"},
		},
		{
			name:   "refresh fails: the 401 is returned",
			accept: func(string) bool { return false }, rejectErr: errors.New("boom"), wantStatus: 401,
			wantRequests: 1, wantRejected: 1, wantAuths: []string{"Bearer tok-1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			var mu sync.Mutex
			var auths []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				a := r.Header.Get("Authorization")
				mu.Lock()
				auths = append(auths, a)
				mu.Unlock()
				if got := r.Header.Get("X-Caller"); got != "kept" {
					t.Errorf("X-Caller = %q, want kept", got)
				}
				b, _ := io.ReadAll(r.Body)
				if string(b) != tt.body {
					t.Errorf("server got body %q, want %q", b, tt.body)
				}
				if !tt.accept(a) {
					w.WriteHeader(http.StatusUnauthorized)
					io.WriteString(w, "denied")
					return
				}
				io.WriteString(w, "ok")
			}))
			defer srv.Close()
			src := &rejectingSource{err: tt.rejectErr}
			client := NewClient(src, srv.Client())
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.noGetBody {
				req.GetBody = nil
			}
			req.Header.Set("X-Caller", "kept")
			before := req.Header.Clone()
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != tt.wantStatus {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.wantStatus)
			}
			if n := requests.Load(); n != tt.wantRequests {
				t.Errorf("server requests = %d, want %d", n, tt.wantRequests)
			}
			if n := src.rejected.Load(); n != tt.wantRejected {
				t.Errorf("TokenRejected calls = %d, want %d", n, tt.wantRejected)
			}
			if strings.Join(auths, ",") != strings.Join(tt.wantAuths, ",") {
				t.Errorf("Authorization headers = %q, want %q", auths, tt.wantAuths)
			}
			if len(req.Header) != len(before) || req.Header.Get("Authorization") != "" {
				t.Errorf("caller's request header changed: %v", req.Header)
			}
		})
	}
}

func TestTransportClosesBodyOnError(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		tr   *Transport
	}{
		{"token error", &Transport{Source: TokenSourceFunc(func(context.Context) (*Token, error) { return nil, boom })}},
		{"nil source", &Transport{}},
		{"nil token", &Transport{Source: TokenSourceFunc(func(context.Context) (*Token, error) { return nil, nil })}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &trackedBody{Reader: strings.NewReader("x")}
			req, err := http.NewRequest(http.MethodPost, "http://127.0.0.1:1/", body)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := tt.tr.RoundTrip(req)
			if err == nil {
				resp.Body.Close()
				t.Fatal("RoundTrip succeeded, want an error")
			}
			if !body.closed.Load() {
				t.Error("request body not closed")
			}
		})
	}
}

func TestTransportDefaultBase(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Header.Get("Authorization"))
	}))
	defer srv.Close()
	client := NewClient(StaticTokenSource(&Token{AccessToken: "abc", TokenType: "bearer"}), nil)
	if client.Transport.(*Transport).Base != nil {
		t.Error("Base set, want nil (http.DefaultTransport)")
	}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if string(b) != "Bearer abc" {
		t.Errorf("server saw %q, want %q", b, "Bearer abc")
	}
}

func TestNewClientKeepsBase(t *testing.T) {
	jar := http.Client{Timeout: 7 * time.Second}
	c := NewClient(StaticTokenSource(&Token{AccessToken: "a"}), &jar)
	if c.Timeout != 7*time.Second {
		t.Errorf("Timeout = %v, want 7s", c.Timeout)
	}
	if jar.Transport != nil {
		t.Error("base client modified")
	}
}

// With a CachedSource, a 401 on the current token refreshes it once.
func TestTransportWithCachedSource(t *testing.T) {
	var issued atomic.Int32
	src := TokenSourceFunc(func(context.Context) (*Token, error) {
		n := issued.Add(1)
		return &Token{AccessToken: "t" + string(rune('1'+n)), Expiry: time.Now().Add(time.Hour)}, nil
	})
	cache := NewCachedSource(src, &Token{AccessToken: "t1", Expiry: time.Now().Add(time.Hour)}, nil)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer t2" {
			w.WriteHeader(http.StatusUnauthorized)
		}
	}))
	defer srv.Close()
	client := NewClient(cache, srv.Client())
	for range 3 {
		resp, err := client.Post(srv.URL, "text/plain", bytes.NewReader([]byte("x")))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d, want 200", resp.StatusCode)
		}
	}
	if n := issued.Load(); n != 1 {
		t.Errorf("tokens issued = %d, want 1", n)
	}
}

func TestAuthorizedHeader(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "http://127.0.0.1/", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header["Authorization"] = []string{"Basic old"}
	req.Header["User-Agent"] = nil
	req.Header["Accept"] = []string{"a", "b"}
	r := authorized(req, "Bearer new", nil)
	if got := r.Header["Authorization"]; len(got) != 1 || got[0] != "Bearer new" {
		t.Errorf("Authorization = %q", got)
	}
	if v, ok := r.Header["User-Agent"]; !ok || v != nil {
		t.Errorf("nil User-Agent entry not kept: %q, %v", v, ok)
	}
	r.Header["Accept"] = append(r.Header["Accept"], "c")
	r.Header["Accept"][0] = "changed"
	if got := req.Header["Accept"]; len(got) != 2 || got[0] != "a" {
		t.Errorf("caller's Accept changed: %q", got)
	}
	if got := req.Header["Authorization"]; got[0] != "Basic old" {
		t.Errorf("caller's Authorization changed: %q", got)
	}
}

// A redirect to another origin must not carry the token: the http.Client
// strips only headers set on the original request, and Transport adds the
// token to every request it sends.
func TestTransportRedirectKeepsTokenOnOrigin(t *testing.T) {
	seen := func(got *string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			*got = r.Header.Get("Authorization")
		})
	}
	var other, same string
	otherSrv := httptest.NewServer(seen(&other))
	defer otherSrv.Close()
	mux := http.NewServeMux()
	mux.Handle("/same", seen(&same))
	mux.HandleFunc("/to-same", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/same", http.StatusFound)
	})
	mux.HandleFunc("/to-other", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherSrv.URL+"/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	client := NewClient(StaticTokenSource(&Token{AccessToken: "abc"}), nil)

	tests := []struct {
		name, path string
		got        *string
		want       string
	}{
		{"same origin", "/to-same", &same, "Bearer abc"},
		{"other origin", "/to-other", &other, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			*tt.got = "unset"
			resp, err := client.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if *tt.got != tt.want {
				t.Errorf("redirect target saw Authorization %q, want %q", *tt.got, tt.want)
			}
		})
	}
}
