package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Sentinel errors, for use with [errors.Is].
var (
	// ErrInvalidGrant means the token endpoint rejected the grant: the
	// refresh token or authorization code is invalid, expired or revoked
	// (RFC 6749 §5.2). Credentials that meet it are marked invalid.
	ErrInvalidGrant = errors.New("oauth2client: invalid_grant")
	// ErrAccessDenied means the user or the server refused the request.
	ErrAccessDenied = errors.New("oauth2client: access_denied")
	// ErrStateMismatch means a callback's state does not match the flow's.
	ErrStateMismatch = errors.New("oauth2client: state mismatch")
	// ErrIssuerMismatch means an issuer differs from the one expected
	// (OIDC discovery, or an RFC 9207 "iss" callback parameter).
	ErrIssuerMismatch = errors.New("oauth2client: issuer mismatch")
	// ErrCannotRefresh means the credentials have no way to obtain a new
	// access token (no refresh token, or an access token obtained elsewhere).
	ErrCannotRefresh = errors.New("oauth2client: credentials cannot be refreshed")
	// ErrInvalidCredentials means the credentials were marked invalid after
	// an invalid_grant and will not be refreshed again.
	ErrInvalidCredentials = errors.New("oauth2client: credentials are invalid")
	// ErrUnsupportedTokenType means a token response carried a token type
	// this library cannot use (RFC 6749 §7.1).
	ErrUnsupportedTokenType = errors.New("oauth2client: unsupported token type")
	// ErrMalformedResponse means a server's response could not be understood.
	ErrMalformedResponse = errors.New("oauth2client: malformed response")
)

// Bounds of what an [Error] keeps of an answer.
const (
	maxErrorBody        = 4 << 10 // Body
	maxErrorCode        = 256     // Code
	maxErrorURI         = 2 << 10 // URI
	maxErrorDescription = 4 << 10 // Description
	maxQuotedCode       = 64      // a code in Error's message, when not RFC 6749's
)

// Error is a failure reported by, or while talking to, a token endpoint.
//
// Code, Description and URI are the RFC 6749 §5.2 fields when the server sent
// them, as sent (clipped). Error's message never includes Body or URI, and
// quotes a Code that is not a valid RFC 6749 error code.
type Error struct {
	// Endpoint names what was called, e.g. "token", "revocation".
	Endpoint string
	// Code is the "error" field, e.g. "invalid_grant", at most 256 bytes.
	// Empty when the server sent no parsable error.
	Code string
	// Description is the "error_description" field, at most 4 KiB.
	Description string
	// URI is the "error_uri" field, at most 2 KiB. It is the server's
	// word: check it before showing it as a link.
	URI string
	// StatusCode is the HTTP status; 0 if no response was received.
	StatusCode int
	// Header is the response header, if there was a response.
	Header http.Header
	// Body is at most the first 4 KiB of the response body, for debugging,
	// with the value of every field holding a secret replaced by
	// "[redacted]": access_token, refresh_token, id_token, any other name
	// ending in "token" (any case, "_" or "-" ignored), device_code, and
	// client_secret, code, code_verifier, assertion, client_assertion or
	// password should a server echo them. A JSON body is re-encoded with
	// its keys sorted; a form-encoded one, by key. A body that cannot be
	// parsed is kept as it is only if it names none of these fields;
	// otherwise Body is nil. So a token response that failed to parse (a
	// bad expires_in, an unexpected token type) can be dumped without
	// leaking its tokens.
	Body []byte

	// Err is the underlying cause, if any (a network or parse error).
	Err error
}

// Error returns a one-line description without tokens or secrets.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("oauth2client: ")
	if e.Endpoint != "" {
		b.WriteString(e.Endpoint)
		b.WriteString(" endpoint: ")
	}
	switch {
	case e.Code != "":
		b.WriteString(quoteCode(e.Code))
		if e.Description != "" {
			fmt.Fprintf(&b, ": %q", urlpolicy.Clip(e.Description, 200))
		}
	case e.Err != nil:
		b.WriteString(causeText(e.Err))
	default:
		b.WriteString("request failed")
	}
	if e.StatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.StatusCode)
	}
	if e.Code != "" && e.Err != nil {
		b.WriteString(": ")
		b.WriteString(causeText(e.Err))
	}
	return b.String()
}

// causeText is err's message without the package prefix Error already
// wrote, so that a cause such as ErrMalformedResponse reads "oauth2client:
// token endpoint: malformed response", not the prefix twice.
func causeText(err error) string {
	return strings.TrimPrefix(err.Error(), "oauth2client: ")
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel matching e's code:
// [ErrInvalidGrant] for "invalid_grant", [ErrAccessDenied] for
// "access_denied", [ErrMalformedResponse] for an unreadable body.
func (e *Error) Is(target error) bool {
	switch target {
	case ErrInvalidGrant:
		return e.Code == "invalid_grant"
	case ErrAccessDenied:
		return e.Code == "access_denied"
	}
	return false
}

// Temporary reports whether retrying later may succeed: a network failure,
// HTTP 429 or 5xx, or the codes "temporarily_unavailable" and "server_error".
// A request the caller cancelled is not temporary.
func (e *Error) Temporary() bool {
	switch e.Code {
	case "temporarily_unavailable", "server_error", "slow_down":
		return true
	case "":
	default:
		return false
	}
	if e.StatusCode == 0 {
		return e.Err != nil && !errors.Is(e.Err, ErrMalformedResponse) &&
			!errors.Is(e.Err, ErrUnsupportedTokenType) && !errors.Is(e.Err, context.Canceled)
	}
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode >= 500
}

// AuthorizationError is an error returned to the redirect URI by the
// authorization endpoint (RFC 6749 §4.1.2.1), such as access_denied.
type AuthorizationError struct {
	Code        string // the "error" parameter
	Description string // the "error_description" parameter
	URI         string // the "error_uri" parameter
}

// Error describes the error without the state or any code.
func (e *AuthorizationError) Error() string {
	s := "oauth2client: authorization failed: " + quoteCode(e.Code)
	if e.Description != "" {
		s += fmt.Sprintf(": %q", urlpolicy.Clip(e.Description, 200))
	}
	return s
}

// Is reports whether target is [ErrAccessDenied] and the code is access_denied.
func (e *AuthorizationError) Is(target error) bool {
	return target == ErrAccessDenied && e.Code == "access_denied"
}

// requestError turns a request that got no usable answer into the error
// users see: when nothing was sent (an endpoint URL refused, client
// authentication that failed) a plain error naming the endpoint and the
// configuration field; otherwise an [*Error] built by newError.
func requestError(endpoint string, resp *oauthhttp.Response, err error) error {
	var setup *oauthhttp.SetupError
	if errors.As(err, &setup) {
		return fmt.Errorf("oauth2client: %s endpoint: %w", endpoint, err)
	}
	return newError(endpoint, resp, err)
}

// newError is the one builder of [*Error]: a failure talking to endpoint,
// with its answer resp (nil when none came) and cause (nil when the answer
// itself is the failure). The RFC 6749 §5.2 fields come from the answer's
// body when it has them, whatever its status.
func newError(endpoint string, resp *oauthhttp.Response, cause error) *Error {
	if errors.Is(cause, oauthhttp.ErrBodyTooLarge) {
		cause = errBodyTooLarge
	}
	e := &Error{Endpoint: endpoint, Err: cause}
	if resp == nil {
		return e
	}
	e.StatusCode, e.Header = resp.StatusCode, resp.Header
	e.Body = redactBody(resp.Header.Get("Content-Type"), resp.Body)
	f := errorFields(resp)
	e.Code = urlpolicy.Clip(f.code, maxErrorCode)
	e.Description = urlpolicy.Clip(f.description, maxErrorDescription)
	e.URI = urlpolicy.Clip(f.uri, maxErrorURI)
	return e
}

// quoteCode renders a server's error code for a one-line message: as it is
// when it is a valid RFC 6749 §5.2 code (NQSCHAR, here without spaces, at
// most 64 bytes), else clipped to 64 bytes and quoted, so that a forged
// code cannot break the line or forge a log record.
func quoteCode(code string) string {
	if validErrorCode(code) {
		return code
	}
	return strconv.Quote(urlpolicy.Clip(code, maxQuotedCode))
}

// validErrorCode reports whether code is a non-empty RFC 6749 error code
// of at most 64 bytes: %x21 / %x23-5B / %x5D-7E (NQSCHAR without space).
func validErrorCode(code string) bool {
	if code == "" || len(code) > maxQuotedCode {
		return false
	}
	for i := range len(code) {
		if c := code[i]; c <= ' ' || c == '"' || c == '\\' || c > '~' {
			return false
		}
	}
	return true
}

// errorBody holds the RFC 6749 §5.2 fields of an error answer.
type errorBody struct {
	code, description, uri string
}

// errorFields reads the RFC 6749 §5.2 fields of an answer's body (JSON, or
// form-encoded when the server says so); all empty when it has none. An
// "error" that is not a string is "unknown_error".
func errorFields(resp *oauthhttp.Response) errorBody {
	if resp == nil || len(resp.Body) == 0 {
		return errorBody{}
	}
	raw, err := decodeTokenBody(resp.Header.Get("Content-Type"), resp.Body)
	if err != nil {
		return errorBody{}
	}
	code, has := raw["error"]
	if !has || code == nil {
		return errorBody{}
	}
	b := errorBody{
		code:        stringField(code),
		description: stringField(raw["error_description"]),
		uri:         stringField(raw["error_uri"]),
	}
	if b.code == "" {
		b.code = "unknown_error"
	}
	return b
}
