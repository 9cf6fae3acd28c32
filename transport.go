package oauth2client

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
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
//
// A request that follows a redirect (one an [http.Client] made, with
// [http.Request.Response] set) carries the token only when it goes to the
// origin (scheme, host and port) of the request that started the chain: a
// redirect to another origin is sent without it. The client itself drops
// only the Authorization headers set on the original request, and this one
// is added to each request the Transport sends.
//
// A Transport is safe for concurrent use and must not be copied after first
// use.
type Transport struct {
	// Source supplies tokens. Required.
	Source TokenSource
	// Base sends the authorized request; nil means http.DefaultTransport.
	Base http.RoundTripper

	// last caches the Authorization value of the last token used, so that
	// requests with an unchanged token do not build it again.
	last atomic.Pointer[authValue]
}

// authValue is an Authorization header value and the token it came from.
type authValue struct {
	tok   *Token
	value string
}

// authValue returns the Authorization header value for tok.
func (t *Transport) authValue(tok *Token) string {
	if a := t.last.Load(); a != nil && a.tok == tok {
		return a.value
	}
	a := &authValue{tok: tok, value: tok.Type() + " " + tok.AccessToken}
	t.last.Store(a)
	return a.value
}

// RoundTrip authorizes a copy of req and sends it; see [Transport].
// As [http.RoundTripper] requires, it closes req's body, also on errors.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Source == nil {
		closeBody(req)
		return nil, errors.New("oauth2client: Transport.Source is nil")
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	if redirectedAway(req) {
		return base.RoundTrip(req)
	}
	ctx := req.Context()
	tok, err := t.Source.Token(ctx)
	if err == nil && tok == nil {
		err = errors.New("oauth2client: Transport.Source returned no token")
	}
	if err != nil {
		closeBody(req)
		return nil, err
	}
	resp, err := base.RoundTrip(authorized(req, t.authValue(tok), req.Body))
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
	return base.RoundTrip(authorized(req, t.authValue(tok2), body))
}

// redirectedAway reports whether req follows a redirect to an origin other
// than that of the request starting its chain of redirects.
func redirectedAway(req *http.Request) bool {
	first := req
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	return first != req && origin(first.URL) != origin(req.URL)
}

// origin returns u's scheme, host and port, with the scheme's default port
// when u names none.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// authorized returns a shallow copy of req with body as its body and its
// own header: req's, with Authorization set to auth. The copy shares
// nothing the transport writes. The header is built with one map and one
// backing array for all values, as [http.Header.Clone] does.
func authorized(req *http.Request, auth string, body io.ReadCloser) *http.Request {
	r := new(http.Request)
	*r = *req
	r.Body = body
	nv := 1
	for _, vv := range req.Header {
		nv += len(vv)
	}
	sv := make([]string, nv)
	h := make(http.Header, len(req.Header)+1)
	for k, vv := range req.Header {
		if k == "Authorization" {
			continue
		}
		if vv == nil {
			h[k] = nil // keep "do not send" entries such as User-Agent
			continue
		}
		n := copy(sv, vv)
		h[k] = sv[:n:n]
		sv = sv[n:]
	}
	sv[0] = auth
	h["Authorization"] = sv[:1:1]
	r.Header = h
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
