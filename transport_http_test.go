package oauth2client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// Item 7 of issue 7: no token to a plain-http URL unless its host is
// loopback or Transport.InsecureAllowHTTP is set.
func TestTransportRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		url      string
		insecure bool
		wantErr  bool
	}{
		{"https", "https://api.example/x?access=q-secret", false, false},
		{"http loopback IPv4", "http://127.0.0.1:8080/x", false, false},
		{"http loopback IPv6", "http://[::1]:8080/x", false, false},
		{"http localhost", "http://localhost/x", false, false},
		{"http remote", "http://api.example/x?sig=q-secret", false, true},
		{"HTTP remote, upper case", "HTTP://api.example/x", false, true},
		{"http remote posing as loopback", "http://127.0.0.1.api.example/x", false, true},
		{"other scheme", "ftp://api.example/x", false, true},
		{"http remote, InsecureAllowHTTP", "http://api.example/x", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var tokens, sent atomic.Int32
			src := TokenSourceFunc(func(context.Context) (*Token, error) {
				tokens.Add(1)
				return &Token{AccessToken: "the-token"}, nil
			})
			base := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				sent.Add(1)
				return &http.Response{StatusCode: 200, Body: http.NoBody, Request: r}, nil
			})
			tr := &Transport{Source: src, Base: base, InsecureAllowHTTP: tt.insecure}
			body := &trackedBody{Reader: strings.NewReader("x")}
			req, err := http.NewRequest(http.MethodPost, tt.url, body)
			if err != nil {
				t.Fatal(err)
			}
			_, err = tr.RoundTrip(req)
			if !tt.wantErr {
				if err != nil || sent.Load() != 1 {
					t.Fatalf("RoundTrip = %v (sent %d), want it sent", err, sent.Load())
				}
				return
			}
			if !errors.Is(err, ErrInsecureHTTP) {
				t.Fatalf("RoundTrip err = %v, want ErrInsecureHTTP", err)
			}
			u, _ := url.Parse(tt.url)
			msg := err.Error()
			for _, want := range []string{u.Scheme + "://" + u.Host, "Transport.InsecureAllowHTTP"} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not name %q", msg, want)
				}
			}
			if strings.Contains(msg, "q-secret") || strings.Contains(msg, "the-token") {
				t.Errorf("error %q quotes the query or the token", msg)
			}
			if sent.Load() != 0 || tokens.Load() != 0 {
				t.Errorf("sent %d requests, asked %d tokens; want none", sent.Load(), tokens.Load())
			}
			if !body.closed.Load() {
				t.Error("request body not closed")
			}
		})
	}
}

// The scheme check is on the hot path: it must not allocate.
func TestTransportCheckSchemeAllocs(t *testing.T) {
	tr := &Transport{}
	for _, raw := range []string{"https://api.example/", "http://127.0.0.1:1/", "http://[::1]:1/", "http://localhost/"} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(100, func() { _ = tr.checkScheme(u) }); n != 0 {
			t.Errorf("checkScheme(%s) allocates %v times, want 0", raw, n)
		}
	}
}

// NewClient and Credentials.Client give a Transport with the same rule.
func TestNewClientRefusesPlainHTTP(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	creds := NewCredentials(CredentialsConfig{}, &Token{AccessToken: "abc"})
	for name, c := range map[string]*http.Client{
		"NewClient":          NewClient(StaticTokenSource(&Token{AccessToken: "abc"}), nil),
		"Credentials.Client": creds.Client(nil),
	} {
		// A remote host name routed to the loopback server: the check looks
		// at the URL, not at where it resolves.
		req, _ := http.NewRequest(http.MethodGet, "http://api.example/x", nil)
		if _, err := c.Do(req); !errors.Is(err, ErrInsecureHTTP) {
			t.Errorf("%s: Get http://api.example: err = %v, want ErrInsecureHTTP", name, err)
		}
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatalf("%s: Get loopback: %v", name, err)
		}
		resp.Body.Close()
	}
}

// roundTripFunc adapts a function to http.RoundTripper.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
