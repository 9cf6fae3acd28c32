package oauth2client

import (
	"errors"
	"net/http"
)

// Transport is an [http.RoundTripper] that authorizes each request with a
// token from Source, sending it through Base.
type Transport struct {
	// Source supplies tokens. Required.
	Source TokenSource
	// Base sends the authorized request; nil means http.DefaultTransport.
	Base http.RoundTripper
}

// RoundTrip authorizes a clone of req and sends it.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Source == nil {
		return nil, errors.New("oauth2client: Transport.Source is nil")
	}
	tok, err := t.Source.Token(req.Context())
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	r := req.Clone(req.Context())
	tok.SetAuthHeader(r)
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// NewClient returns an *http.Client whose requests carry tokens from src,
// sent through base's transport (nil means http.DefaultClient). base's
// other settings (timeout, redirects, cookies) are kept.
func NewClient(src TokenSource, base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	c.Transport = &Transport{Source: src, Base: c.Transport}
	return &c
}
