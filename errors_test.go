package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

func TestErrorTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want bool
	}{
		{"network failure", &Error{Err: errors.New("connection refused")}, true},
		{"cancelled by the caller", &Error{Err: fmt.Errorf("post request: %w", context.Canceled)}, false},
		{"deadline", &Error{Err: fmt.Errorf("post request: %w", context.DeadlineExceeded)}, true},
		{"malformed body", &Error{StatusCode: 0, Err: ErrMalformedResponse}, false},
		{"503", &Error{StatusCode: 503}, true},
		{"429", &Error{StatusCode: 429}, true},
		{"400 invalid_grant", &Error{StatusCode: 400, Code: "invalid_grant"}, false},
		{"400 temporarily_unavailable", &Error{StatusCode: 400, Code: "temporarily_unavailable"}, true},
		{"401 no code", &Error{StatusCode: 401}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Temporary(); got != tt.want {
				t.Errorf("Temporary() = %t, want %t", got, tt.want)
			}
		})
	}
}

// TestErrorMessageQuotesCode: a valid RFC 6749 code is shown as it is;
// any other is clipped and quoted, so the message stays one short line.
func TestErrorMessageQuotesCode(t *testing.T) {
	t.Parallel()
	forged := "x\nlevel=ERROR msg=forged " + strings.Repeat("y", 4000)
	tests := []struct {
		name, code, want string
	}{
		{"valid", "invalid_grant", "oauth2client: token endpoint: invalid_grant (HTTP 400)"},
		{"valid, odd characters", "x!#[]~", "oauth2client: token endpoint: x!#[]~ (HTTP 400)"},
		{"space", "bad code", `oauth2client: token endpoint: "bad code" (HTTP 400)`},
		{"quote", `a"b`, `oauth2client: token endpoint: "a\"b" (HTTP 400)`},
		{"forged line", forged, `oauth2client: token endpoint: "x\nlevel=ERROR msg=forged ` +
			strings.Repeat("y", 64-len("x\nlevel=ERROR msg=forged ")) + `…" (HTTP 400)`},
		{"long", strings.Repeat("z", 65), `oauth2client: token endpoint: "` + strings.Repeat("z", 64) + `…" (HTTP 400)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &Error{Endpoint: "token", Code: tt.code, StatusCode: 400}
			if got := e.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			a := &AuthorizationError{Code: tt.code, Description: "d\ne"}
			want := "oauth2client: authorization failed: " + strings.TrimSuffix(
				strings.TrimPrefix(tt.want, "oauth2client: token endpoint: "), " (HTTP 400)") + `: "d\ne"`
			if got := a.Error(); got != want {
				t.Errorf("AuthorizationError.Error() = %q, want %q", got, want)
			}
		})
	}
}

// TestErrorMessageNoDoubledPrefix: a cause from this package is not
// shown with the package prefix a second time.
func TestErrorMessageNoDoubledPrefix(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  *Error
		want string
	}{
		{"malformed", &Error{Endpoint: "token", Err: ErrMalformedResponse},
			"oauth2client: token endpoint: malformed response"},
		{"malformed, wrapped", &Error{Endpoint: "token", StatusCode: 200, Err: fmt.Errorf("%w: expires_in is not a number", ErrMalformedResponse)},
			"oauth2client: token endpoint: malformed response: expires_in is not a number (HTTP 200)"},
		{"code and cause", &Error{Endpoint: "token", Code: "invalid_request", StatusCode: 400, Err: ErrUnsupportedTokenType},
			"oauth2client: token endpoint: invalid_request (HTTP 400): unsupported token type"},
		{"foreign cause", &Error{Endpoint: "revocation", Err: errors.New("post request: connection refused")},
			"oauth2client: revocation endpoint: post request: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNewErrorClipsFields: the fields an *Error keeps of a hostile answer
// are bounded.
func TestNewErrorClipsFields(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 100_000)
	body := `{"error":"` + long + `","error_description":"` + long + `","error_uri":"` + long + `"}`
	e := newError("token", &oauthhttp.Response{StatusCode: 400, Header: http.Header{}, Body: []byte(body)}, nil)
	if len(e.Code) > maxErrorCode+len("…") || len(e.Description) > maxErrorDescription+len("…") ||
		len(e.URI) > maxErrorURI+len("…") || len(e.Body) > maxErrorBody {
		t.Errorf("kept code %d, description %d, URI %d, body %d bytes",
			len(e.Code), len(e.Description), len(e.URI), len(e.Body))
	}
}
