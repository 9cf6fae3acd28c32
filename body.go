package oauth2client

import (
	"fmt"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// MaxResponseBody bounds every response body this package reads: token
// responses, discovery documents, token info. A larger body is an error.
const MaxResponseBody = oauthhttp.MaxBody

// errBodyTooLarge reports a body over MaxResponseBody.
var errBodyTooLarge = fmt.Errorf("%w: response body exceeds %d bytes", ErrMalformedResponse, MaxResponseBody)

// Limits of the HTTP client used for requests to an authorization server
// (token, device authorization, revocation, introspection, token info,
// discovery) when no HTTPClient is configured. Set an HTTPClient to choose
// others; the caller's context bounds every request too.
const (
	// DefaultDialTimeout bounds establishing a TCP connection.
	DefaultDialTimeout = oauthhttp.DialTimeout
	// DefaultTLSHandshakeTimeout bounds the TLS handshake.
	DefaultTLSHandshakeTimeout = oauthhttp.TLSHandshakeTimeout
	// DefaultResponseHeaderTimeout bounds the wait for a response's header
	// once the request is sent.
	DefaultResponseHeaderTimeout = oauthhttp.ResponseHeaderTimeout
	// DefaultRequestTimeout bounds one try of a request as a whole,
	// reading the response included. A retried request may take longer.
	DefaultRequestTimeout = oauthhttp.RequestTimeout
)
