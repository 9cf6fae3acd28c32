package oauth2client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// serveTokenResponse runs RequestToken, without retries, against a server
// answering status, contentType and body.
func serveTokenResponse(t *testing.T, status int, contentType, body string, now time.Time) (*Token, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	return RequestToken(context.Background(), &TokenRequest{
		URL: srv.URL, Params: url.Values{"grant_type": {"client_credentials"}},
		Retry: RetryOptions{Disable: true}, Now: func() time.Time { return now },
	})
}

func TestParseTokenResponse(t *testing.T) {
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	const js = "application/json"
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		// on success
		wantToken  *Token
		wantExpiry time.Duration // 0: no expiry
		// on failure
		wantMsg       string
		wantCode      string
		wantErr       error
		wantTemporary bool
	}{
		{
			name: "full", status: 200, contentType: js,
			body:      `{"access_token":"at","token_type":"Bearer","refresh_token":"rt","expires_in":3600,"scope":"a b","id_token":"h.p.s","extra":1}`,
			wantToken: &Token{AccessToken: "at", TokenType: "Bearer", RefreshToken: "rt", IDToken: "h.p.s", Scopes: []string{"a", "b"}}, wantExpiry: time.Hour,
		},
		{
			name: "expires_in as string", status: 200, contentType: js,
			body:      `{"access_token":"at","token_type":"bearer","expires_in":"120"}`,
			wantToken: &Token{AccessToken: "at", TokenType: "bearer"}, wantExpiry: 2 * time.Minute,
		},
		{
			name: "expires_in as float", status: 200, contentType: js,
			body:      `{"access_token":"at","expires_in":59.9}`,
			wantToken: &Token{AccessToken: "at"}, wantExpiry: 59 * time.Second,
		},
		{
			name: "expires_in empty string", status: 200, contentType: js,
			body:      `{"access_token":"at","expires_in":""}`,
			wantToken: &Token{AccessToken: "at"},
		},
		{
			name: "expires_in null, no token type", status: 200, contentType: "",
			body:      `{"access_token":"at","expires_in":null}`,
			wantToken: &Token{AccessToken: "at"},
		},
		{
			name: "form-encoded body", status: 200, contentType: "application/x-www-form-urlencoded",
			body:      `access_token=at&token_type=bearer&expires_in=3600&scope=repo%20user`,
			wantToken: &Token{AccessToken: "at", TokenType: "bearer", Scopes: []string{"repo", "user"}}, wantExpiry: time.Hour,
		},
		{
			name: "form-encoded error", status: 200, contentType: "text/plain; charset=utf-8",
			body:     `error=bad_verification_code&error_description=The+code+is+wrong`,
			wantCode: "bad_verification_code", wantMsg: `bad_verification_code: "The code is wrong"`,
		},
		{
			name: "HTML error page", status: 502, contentType: "text/html",
			body:    "<html><body>Bad Gateway</body></html>",
			wantMsg: "oauth2client: token endpoint: request failed (HTTP 502)", wantTemporary: true,
		},
		{
			name: "HTML page with 200", status: 200, contentType: "text/html",
			body:    "<html>login</html>",
			wantMsg: "not a JSON object (Content-Type text/html)", wantErr: ErrMalformedResponse,
		},
		{
			name: "JSON array", status: 200, contentType: js, body: `["at"]`,
			wantErr: ErrMalformedResponse,
		},
		{
			name: "JSON null", status: 200, contentType: js, body: `null`,
			wantErr: ErrMalformedResponse,
		},
		{
			name: "empty body", status: 200, contentType: js, body: ``,
			wantErr: ErrMalformedResponse,
		},
		{
			name: "200 carrying error", status: 200, contentType: js,
			body:     `{"error":"invalid_grant","error_description":"Token has been expired or revoked."}`,
			wantCode: "invalid_grant", wantErr: ErrInvalidGrant,
			wantMsg: `oauth2client: token endpoint: invalid_grant: "Token has been expired or revoked." (HTTP 200)`,
		},
		{
			name: "400 invalid_grant", status: 400, contentType: js,
			body:     `{"error":"invalid_grant"}`,
			wantCode: "invalid_grant", wantErr: ErrInvalidGrant,
		},
		{
			name: "error code not a string", status: 400, contentType: js,
			body: `{"error":42}`, wantCode: "42",
		},
		{
			name: "error empty", status: 400, contentType: js,
			body: `{"error":""}`, wantCode: "unknown_error",
		},
		{
			name: "temporarily unavailable", status: 503, contentType: js,
			body: `{"error":"temporarily_unavailable"}`, wantCode: "temporarily_unavailable", wantTemporary: true,
		},
		{
			name: "401 empty body", status: 401, body: ``,
			wantMsg: "request failed (HTTP 401)",
		},
		{
			name: "429 empty body", status: 429, body: ``, wantTemporary: true,
		},
		{
			name: "success status without error field", status: 500, contentType: js,
			body: `{"access_token":"at"}`, wantMsg: "(HTTP 500)", wantTemporary: true,
		},
		{
			name: "body over 1 MiB", status: 200, contentType: js,
			body:    `{"access_token":"at","pad":"` + strings.Repeat("x", MaxResponseBody) + `"}`,
			wantMsg: "exceeds 1048576 bytes", wantErr: ErrMalformedResponse,
		},
		{
			name: "access_token missing", status: 200, contentType: js,
			body: `{"token_type":"Bearer"}`, wantMsg: "no access_token", wantErr: ErrMalformedResponse,
		},
		{
			name: "access_token number", status: 200, contentType: js,
			body: `{"access_token":12345}`, wantMsg: `field "access_token" is a number, want a string`, wantErr: ErrMalformedResponse,
		},
		{
			name: "refresh_token object", status: 200, contentType: js,
			body: `{"access_token":"at","refresh_token":{}}`, wantMsg: `field "refresh_token" is an object`, wantErr: ErrMalformedResponse,
		},
		{
			name: "scope array", status: 200, contentType: js,
			body: `{"access_token":"at","scope":["a"]}`, wantMsg: `field "scope" is an array`, wantErr: ErrMalformedResponse,
		},
		{
			name: "token_type bool", status: 200, contentType: js,
			body: `{"access_token":"at","token_type":true}`, wantMsg: `field "token_type" is a boolean`, wantErr: ErrMalformedResponse,
		},
		{
			name: "expires_in bool", status: 200, contentType: js,
			body: `{"access_token":"at","expires_in":true}`, wantMsg: `"expires_in" is a boolean, want a number`, wantErr: ErrMalformedResponse,
		},
		{
			name: "expires_in words", status: 200, contentType: js,
			body: `{"access_token":"at","expires_in":"one hour"}`, wantMsg: "not a number of seconds", wantErr: ErrMalformedResponse,
		},
		{
			name: "expires_in NaN", status: 200, contentType: js,
			body: `{"access_token":"at","expires_in":"NaN"}`, wantErr: ErrMalformedResponse,
		},
		{
			name: "expires_in negative", status: 200, contentType: js,
			body: `{"access_token":"at","expires_in":-5}`, wantMsg: "out of range", wantErr: ErrMalformedResponse,
		},
		{
			name: "expires_in huge", status: 200, contentType: js,
			body: `{"access_token":"at","expires_in":1e300}`, wantErr: ErrMalformedResponse,
		},
		{
			name: "unknown token type", status: 200, contentType: js,
			body: `{"access_token":"at","token_type":"N_A"}`, wantMsg: `unsupported token type "N_A"`, wantErr: ErrUnsupportedTokenType,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := serveTokenResponse(t, tt.status, tt.contentType, tt.body, now)
			if tt.wantToken != nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				want := *tt.wantToken
				if tt.wantExpiry != 0 {
					want.Expiry = now.Add(tt.wantExpiry)
				}
				if tok.AccessToken != want.AccessToken || tok.TokenType != want.TokenType || tok.RefreshToken != want.RefreshToken ||
					tok.IDToken != want.IDToken || !tok.Expiry.Equal(want.Expiry) || strings.Join(tok.Scopes, " ") != strings.Join(want.Scopes, " ") {
					t.Errorf("token %+v, want %+v", tok, want)
				}
				if tok.Raw == nil || tok.Raw["access_token"] == nil {
					t.Errorf("Raw %v", tok.Raw)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error; token %+v", tok)
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T is not *Error", err)
			}
			if e.StatusCode != tt.status || e.Endpoint != "token" || e.Code != tt.wantCode {
				t.Errorf("Error %+v", e)
			}
			if len(e.Body) > maxErrorBody {
				t.Errorf("Body kept %d bytes", len(e.Body))
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "oauth2client: token endpoint: ") || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not contain %q", msg, tt.wantMsg)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", msg, tt.wantErr)
			}
			if e.Temporary() != tt.wantTemporary {
				t.Errorf("Temporary() = %v", e.Temporary())
			}
			if strings.Contains(msg, "<html") || strings.Contains(msg, `"at"`) {
				t.Errorf("error %q quotes the body", msg)
			}
		})
	}
}

func FuzzTokenResponse(f *testing.F) {
	seeds := []struct {
		status int
		ct     string
		body   string
	}{
		{200, "application/json", `{"access_token":"at","token_type":"Bearer","expires_in":3600,"refresh_token":"rt","scope":"a b"}`},
		{200, "application/json", `{"access_token":"at","expires_in":"3600"}`},
		{200, "application/json", `{"error":"invalid_grant"}`},
		{400, "application/json", `{"error":{"code":1}}`},
		{200, "application/x-www-form-urlencoded", `access_token=at&expires_in=1e3`},
		{502, "text/html", `<html></html>`},
		{200, "", `null`},
		{200, "application/json", `{"access_token":"at","expires_in":"NaN"}`},
	}
	for _, s := range seeds {
		f.Add(s.status, s.ct, []byte(s.body))
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, status int, ct string, body []byte) {
		resp := &oauthhttp.Response{StatusCode: status, Header: http.Header{"Content-Type": {ct}}, Body: body}
		tok, err := parseTokenResponse(resp, now, "", false)
		if err != nil {
			var e *Error
			if tok != nil || !errors.As(err, &e) {
				t.Fatalf("got %v, %T", tok, err)
			}
			if msg := e.Error(); strings.ContainsAny(msg, "\r\n") || len(msg) > 600 {
				t.Fatalf("message of %d bytes, or several lines: %q", len(msg), msg)
			}
			_ = e.Temporary()
			return
		}
		if status < 200 || status > 299 {
			t.Fatalf("accepted status %d", status)
		}
		if tok.AccessToken == "" {
			t.Fatal("token without access token")
		}
		if !tok.Expiry.IsZero() && tok.Expiry.Before(now) {
			t.Fatalf("expiry %v before now", tok.Expiry)
		}
		if tok.Type() != "Bearer" {
			t.Fatalf("accepted token type %q", tok.TokenType)
		}
	})
}

// TestRequestTokenErrorsHideURL checks that a token endpoint URL, which may
// carry a secret in its query, is not quoted by RequestToken's errors.
func TestRequestTokenErrorsHideURL(t *testing.T) {
	for _, tc := range []struct{ name, url string }{
		{"unparsable URL", "http://127.0.0.1/token?key=SECRET\x7f"},
		{"unreachable server", "http://127.0.0.1:1/token?key=SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RequestToken(context.Background(), &TokenRequest{URL: tc.url, Params: map[string][]string{"grant_type": {"refresh_token"}},
				Retry: RetryOptions{Disable: true}})
			if err == nil {
				t.Fatal("no error")
			}
			if strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error quotes the URL: %v", err)
			}
		})
	}
}

func TestTokenFromResponseIDTokenOnly(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		raw     map[string]any
		idOnly  bool
		wantErr bool
	}{
		{"id token refused by default", map[string]any{"id_token": "a.b.c"}, false, true},
		{"id token accepted", map[string]any{"id_token": "a.b.c"}, true, false},
		{"neither", map[string]any{"token_type": "Bearer"}, true, true},
		{"access token still fine", map[string]any{"access_token": "at"}, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, err := tokenFromResponse(tc.raw, now, "", tc.idOnly)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrMalformedResponse) {
				t.Errorf("err = %v, want ErrMalformedResponse", err)
			}
			if err == nil && tok.AccessToken == "" && tok.IDToken != "a.b.c" {
				t.Errorf("token %+v has neither token", tok)
			}
		})
	}
}

func TestTokenFromResponseTokenTypes(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name      string
		tokenType string
		want      string
		extra     []string
		ok        bool
	}{
		{"bearer", "bearer", "", nil, true},
		{"empty means bearer", "", "", nil, true},
		{"N_A refused by default", "N_A", "", nil, false},
		{"N_A accepted when listed", "N_A", "", []string{"n_a"}, true},
		{"bearer still accepted with extras", "Bearer", "", []string{"N_A"}, true},
		{"binder type", "DPoP", "DPoP", []string{"N_A"}, true},
		{"bearer refused with a binder", "Bearer", "DPoP", []string{"N_A"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := map[string]any{"access_token": "at", "token_type": tc.tokenType}
			_, err := tokenFromResponse(raw, now, tc.want, false, tc.extra...)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrUnsupportedTokenType) {
				t.Errorf("err = %v, want ErrUnsupportedTokenType", err)
			}
		})
	}
}
