package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fault is one scripted answer of the token endpoint.
type fault struct {
	status int
	header http.Header
	body   string
	reset  bool // close the connection without an answer
}

const okBody = `{"access_token":"at-ok","token_type":"Bearer","expires_in":3600}`

// tokenSecrets are the token values the fault cases put in bodies; none may
// appear in an error's Body, message or %+v.
var tokenSecrets = []string{"AT-SECRET", "RT-SECRET", "ID-SECRET", "DC-SECRET", "XT-SECRET"}

// withTokens is a 2xx token response carrying every token, with the given
// extra JSON members (which make it fail to parse).
func withTokens(extra string) string {
	return `{"access_token":"AT-SECRET","refresh_token":"RT-SECRET","id_token":"ID-SECRET",` +
		`"device_code":"DC-SECRET","subject_token":"XT-SECRET",` + extra + `}`
}

// TestReliabilityTokenEndpointFaults runs token requests against a token
// endpoint that answers with faults, and checks what is retried, what is
// honoured and what is final. It logs the figures of each case.
func TestReliabilityTokenEndpointFaults(t *testing.T) {
	t.Parallel()
	const js = "application/json"
	html := "<html><body>Service Unavailable</body></html>"
	jsonH := http.Header{"Content-Type": {js}}
	htmlH := http.Header{"Content-Type": {"text/html"}}
	tests := []struct {
		name       string
		grant      string
		answers    []fault // in turn; the last repeats
		wantOK     bool
		wantCode   string        // *Error's Code, if failing
		wantStatus int           // *Error's StatusCode, if failing
		wantErr    error         // errors.Is, if failing
		wantTries  int32         // requests the server saw
		wantWait   time.Duration // exact first wait, when Retry-After sets it
		binder     ProofBinder   // the request's ProofBinder, if any
		timeout    time.Duration // the context's timeout, if any
		maxWait    time.Duration // RetryOptions.MaxWait, if not the default
		cancel     bool          // the first wait is cut short by cancelling the context
		wantCancel error         // errors.Is, as well as the *Error
		wantBody   string        // a string Body must hold, if failing
	}{
		{name: "500 then success", answers: []fault{{status: 500}, {status: 200, header: jsonH, body: okBody}}, wantOK: true, wantTries: 2},
		{name: "502, 503 then success", answers: []fault{{status: 502}, {status: 503}, {status: 200, header: jsonH, body: okBody}}, wantOK: true, wantTries: 3},
		{name: "503 always", answers: []fault{{status: 503}}, wantStatus: 503, wantTries: 3},
		{name: "429 with Retry-After", answers: []fault{{status: 429, header: http.Header{"Retry-After": {"12"}}}, {status: 200, header: jsonH, body: okBody}},
			wantOK: true, wantTries: 2, wantWait: 12 * time.Second},
		{name: "503 with Retry-After date", answers: []fault{{status: 503, header: http.Header{"Retry-After": {"Wed, 01 Jan 2025 00:00:20 GMT"}}}, {status: 200, header: jsonH, body: okBody}},
			wantOK: true, wantTries: 2, wantWait: 20 * time.Second},
		{name: "429 with Retry-After over the cap", answers: []fault{{status: 429, header: http.Header{"Retry-After": {"3600"}}}, {status: 200, header: jsonH, body: okBody}},
			wantStatus: 429, wantTries: 1},
		{name: "400 invalid_grant", answers: []fault{{status: 400, header: jsonH, body: `{"error":"invalid_grant"}`}, {status: 200, header: jsonH, body: okBody}},
			wantCode: "invalid_grant", wantStatus: 400, wantErr: ErrInvalidGrant, wantTries: 1},
		{name: "HTML with 200", answers: []fault{{status: 200, header: htmlH, body: html}}, wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1},
		{name: "HTML with 500", answers: []fault{{status: 500, header: htmlH, body: html}}, wantStatus: 500, wantTries: 3},
		{name: "200 with error field", answers: []fault{{status: 200, header: jsonH, body: `{"error":"server_error","error_description":"try later"}`}},
			wantCode: "server_error", wantStatus: 200, wantTries: 1},
		{name: "body over 1 MiB", answers: []fault{{status: 200, header: jsonH, body: `{"access_token":"at","pad":"` + strings.Repeat("x", MaxResponseBody) + `"}`}},
			wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1},
		{name: "expires_in negative", answers: []fault{{status: 200, header: jsonH, body: `{"access_token":"at","expires_in":-1}`}}, wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1},
		{name: "expires_in garbage", answers: []fault{{status: 200, header: jsonH, body: `{"access_token":"at","expires_in":"soon"}`}}, wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1},
		{name: "expires_in huge", answers: []fault{{status: 200, header: jsonH, body: `{"access_token":"at","expires_in":1e300}`}}, wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1},
		{name: "connection reset then success", answers: []fault{{reset: true}, {status: 200, header: jsonH, body: okBody}}, wantOK: true, wantTries: 2},
		{name: "connection reset always", answers: []fault{{reset: true}}, wantTries: 3},
		{name: "code exchange hits 503", grant: "authorization_code", answers: []fault{{status: 503}, {status: 200, header: jsonH, body: okBody}}, wantStatus: 503, wantTries: 1},
		{name: "code exchange hits a reset", grant: "authorization_code", answers: []fault{{reset: true}, {status: 200, header: jsonH, body: okBody}}, wantTries: 1},
		{name: "tokens with expires_in garbage", answers: []fault{{status: 200, header: jsonH, body: withTokens(`"expires_in":"soon"`)}},
			wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1, wantBody: `"access_token":"[redacted]"`},
		{name: "tokens with an unexpected token type", binder: &fakeBinder{}, answers: []fault{{status: 200, header: jsonH, body: withTokens(`"token_type":"Bearer"`)}},
			wantStatus: 200, wantErr: ErrUnsupportedTokenType, wantTries: 1, wantBody: `"token_type":"Bearer"`},
		{name: "tokens with a non-string field", answers: []fault{{status: 200, header: jsonH, body: withTokens(`"scope":["a"],"x":{"Refresh-Token":"RT-SECRET"}`)}},
			wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1, wantBody: `"scope":["a"]`},
		{name: "tokens form-encoded with expires_in garbage", answers: []fault{{status: 200, header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			body: "access_token=AT-SECRET&refresh_token=RT-SECRET&id_token=ID-SECRET&expires_in=soon"}},
			wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1, wantBody: "expires_in=soon"},
		{name: "tokens with trailing garbage", answers: []fault{{status: 200, header: jsonH, body: withTokens(`"expires_in":-1`) + ` trailing`}},
			wantStatus: 200, wantErr: ErrMalformedResponse, wantTries: 1},
		{name: "400 with a forged multi-line code", answers: []fault{{status: 400, header: jsonH,
			body: `{"error":"x\nlevel=ERROR msg=forged ` + strings.Repeat("y", 4000) + `"}`}},
			wantCode:   "x\nlevel=ERROR msg=forged " + strings.Repeat("y", maxErrorCode-len("x\nlevel=ERROR msg=forged ")) + "…",
			wantStatus: 400, wantTries: 1},
		{name: "503 with Retry-After past the deadline", timeout: time.Hour, maxWait: 24 * time.Hour,
			answers:  []fault{{status: 503, header: http.Header{"Content-Type": {js}, "Retry-After": {"7200"}}, body: `{"error":"temporarily_unavailable"}`}, {status: 200, header: jsonH, body: okBody}},
			wantCode: "temporarily_unavailable", wantStatus: 503, wantTries: 1},
		{name: "503 with the wait cancelled", cancel: true,
			answers:  []fault{{status: 503, header: http.Header{"Content-Type": {js}, "Retry-After": {"20"}}, body: `{"error":"temporarily_unavailable"}`}, {status: 200, header: jsonH, body: okBody}},
			wantCode: "temporarily_unavailable", wantStatus: 503, wantCancel: context.Canceled, wantTries: 1},
	}
	var mu sync.Mutex
	var totalTries, totalFailures, totalServed int
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var served atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				i := int(served.Add(1)) - 1
				f := tt.answers[min(i, len(tt.answers)-1)]
				if f.reset {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						if tc, ok := conn.(*net.TCPConn); ok {
							tc.SetLinger(0)
						}
						conn.Close()
					}
					return
				}
				for k, v := range f.header {
					w.Header()[k] = v
				}
				w.WriteHeader(f.status)
				io.WriteString(w, f.body)
			}))
			defer srv.Close()
			var waits []time.Duration
			grant := tt.grant
			if grant == "" {
				grant = "refresh_token"
			}
			now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
			ctx, cancel := context.WithCancel(context.Background())
			if tt.timeout != 0 {
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
			}
			defer cancel()
			tok, err := RequestToken(ctx, &TokenRequest{
				URL: srv.URL, ClientID: "cid", ClientSecret: "cs",
				Params:      url.Values{"grant_type": {grant}, "refresh_token": {"rt"}, "code": {"c"}},
				ProofBinder: tt.binder,
				Now:         func() time.Time { return now },
				Retry: RetryOptions{MaxWait: tt.maxWait, Sleep: func(ctx context.Context, d time.Duration) error {
					waits = append(waits, d)
					if tt.cancel {
						cancel()
					}
					return ctx.Err()
				}},
			})
			tries := served.Load()
			wantWaits := int(tt.wantTries) - 1
			if tt.cancel {
				wantWaits++ // the cancelled one
			}
			t.Logf("reliability: %s: %d requests served, %d waits %v, ok=%v, error: %v", tt.name, tries, len(waits), waits, err == nil, err)
			mu.Lock()
			totalTries++
			totalServed += int(tries)
			if err != nil {
				totalFailures++
			}
			mu.Unlock()
			if tries != tt.wantTries || len(waits) != wantWaits {
				t.Errorf("server saw %d requests after %d waits, want %d after %d", tries, len(waits), tt.wantTries, wantWaits)
			}
			if tt.wantWait != 0 && (len(waits) == 0 || waits[0] != tt.wantWait) {
				t.Errorf("waits %v, want first %v", waits, tt.wantWait)
			}
			for _, w := range waits {
				if w > DefaultRetryMaxWait {
					t.Errorf("wait %v over the cap", w)
				}
			}
			if tt.wantOK {
				if err != nil || tok.AccessToken != "at-ok" {
					t.Fatalf("token %v, error %v", tok, err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.StatusCode != tt.wantStatus || e.Code != tt.wantCode {
				t.Errorf("Error status %d code %q, want %d %q", e.StatusCode, e.Code, tt.wantStatus, tt.wantCode)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
			if len(e.Body) > maxErrorBody || strings.Contains(err.Error(), "<html") {
				t.Errorf("error keeps %d bytes of body or quotes it: %v", len(e.Body), err)
			}
			if tt.wantCancel != nil && !errors.Is(err, tt.wantCancel) {
				t.Errorf("error %v is not %v", err, tt.wantCancel)
			}
			if tt.wantBody != "" && !strings.Contains(string(e.Body), tt.wantBody) {
				t.Errorf("Body %q lacks %q", e.Body, tt.wantBody)
			}
			msg := err.Error()
			if strings.ContainsAny(msg, "\r\n") || len(msg) > 400 {
				t.Errorf("message is %d bytes or several lines: %q", len(msg), msg)
			}
			for _, dump := range []string{string(e.Body), msg, fmt.Sprintf("%+v", err), fmt.Sprintf("%+v", *e)} {
				for _, secret := range tokenSecrets {
					if strings.Contains(dump, secret) {
						t.Errorf("error leaks %s: %q", secret, dump)
					}
				}
			}
		})
	}
	t.Cleanup(func() {
		t.Logf("reliability: token endpoint faults: %d cases, %d failed as expected, %d succeeded, %d requests served",
			totalTries, totalFailures, totalTries-totalFailures, totalServed)
	})
}
