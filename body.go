package oauth2client

import (
	"fmt"
	"io"
	"net/http"
)

// MaxResponseBody bounds every response body this package reads: token
// responses, discovery documents, token info. A larger body is an error.
const MaxResponseBody = 1 << 20

// errBodyTooLarge reports a body over MaxResponseBody.
var errBodyTooLarge = fmt.Errorf("%w: response body exceeds %d bytes", ErrMalformedResponse, MaxResponseBody)

// readBody reads at most MaxResponseBody bytes of r, failing if there are more.
func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxResponseBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxResponseBody {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// httpClient returns c, or http.DefaultClient when c is nil.
func httpClient(c *http.Client) *http.Client {
	if c == nil {
		return http.DefaultClient
	}
	return c
}
