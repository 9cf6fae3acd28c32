package oauth2client

import (
	"errors"
	"io"
	"net/http"
)

// maxDrain bounds how much of a 401 response body is read before the
// connection is reused for the retry.
const maxDrain = 4 << 10

// Transport is an [http.RoundTripper] that authorizes each request with a
// token from Source, sending it through Base.
//
// The caller's request is never modified: each request is copied with its
// own header before the Authorization header is set. After a 401 response,
// if Source is a [TokenRejecter] and the request body can be sent again (no
// body, or [http.Request.GetBody] set), Transport reports the rejected token,
// and retries once with the token it gets back. If no other token comes
// back, the 401 response is returned as it is.
type Transport struct {
	// Source supplies tokens. Required.
	Source TokenSource
	// Base sends the authorized request; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip authorizes a copy of req and sends it; see [Transport].
// As [http.RoundTripper] requires, it closes req's body, also on errors.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Source == nil {
		closeBody(req)
		return nil, errors.New("oauth2client: Transport.Source is nil")
	}
	ctx := req.Context()
	tok, err := t.Source.Token(ctx)
	if err != nil {
		closeBody(req)
		return nil, err
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(authorized(req, tok, req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}

	// 401: refresh once and retry once, when that can be done.
	rej, ok := t.Source.(TokenRejecter)
	replayable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	if !ok || !replayable {
		return resp, nil
	}
	tok2, err := rej.TokenRejected(ctx, tok)
	if err != nil || tok2 == nil || tok2.AccessToken == tok.AccessToken {
		return resp, nil // the 401 says more than the refresh error
	}
	body := req.Body
	if req.GetBody != nil && body != nil && body != http.NoBody {
		if body, err = req.GetBody(); err != nil {
			return resp, nil
		}
	}
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	resp.Body.Close()
	return base.RoundTrip(authorized(req, tok2, body))
}

// authorized returns a shallow copy of req with its own header carrying
// tok, and body as its body. The copy shares nothing the transport writes.
func authorized(req *http.Request, tok *Token, body io.ReadCloser) *http.Request {
	r := new(http.Request)
	*r = *req
	r.Body = body
	r.Header = req.Header.Clone()
	if r.Header == nil {
		r.Header = make(http.Header, 1)
	}
	tok.SetAuthHeader(r)
	return r
}

// closeBody closes req's body, if it has one.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// NewClient returns an *http.Client whose requests carry tokens from src,
// sent through base's transport (nil means http.DefaultClient). base's
// other settings (timeout, redirects, cookies) are kept; base is not
// modified.
func NewClient(src TokenSource, base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	c.Transport = &Transport{Source: src, Base: c.Transport}
	return &c
}
