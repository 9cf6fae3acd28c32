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

// credentialClient returns a copy of c (nil means http.DefaultClient) that
// does not follow redirects, for requests that carry client credentials,
// codes or tokens (token, device authorization, revocation, introspection
// endpoints): a 307 or 308 would resend the form, client_secret included, to
// wherever it points. The redirect response is returned as it is and
// reported as an error.
func credentialClient(c *http.Client) *http.Client {
	cc := *httpClient(c)
	cc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cc
}
