package oauthhttp

import (
	"net"
	"net/http"
	"time"
)

// Limits of the default HTTP client, used when a request names none.
const (
	// DialTimeout bounds establishing a TCP connection.
	DialTimeout = 10 * time.Second
	// TLSHandshakeTimeout bounds the TLS handshake.
	TLSHandshakeTimeout = 10 * time.Second
	// ResponseHeaderTimeout bounds the wait for the response's header once
	// the request is sent.
	ResponseHeaderTimeout = 15 * time.Second
	// RequestTimeout bounds one try as a whole: connecting, sending, and
	// reading the whole response. Three tries (the default of two retries)
	// and their backoff fit in a cached refresh's limit of 90 s, so a hung
	// try is retried rather than ending the refresh.
	RequestTimeout = 20 * time.Second
)

// defaultClient is the client used when a request names none: its own
// transport (proxy from the environment, HTTP/2, a connection pool) with
// the limits above. It is shared, so connections are reused.
var defaultClient = &http.Client{
	Transport: &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   DialTimeout,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   TLSHandshakeTimeout,
		ResponseHeaderTimeout: ResponseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
	},
	Timeout:       RequestTimeout,
	CheckRedirect: noRedirect,
}

// DefaultClient returns the client used when a request names none. Callers
// must not modify it.
func DefaultClient() *http.Client { return defaultClient }

// noRedirect stops an http.Client at the first redirect, returning the
// redirect response as it is.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// clientFor returns c (nil means the default client) set not to follow
// redirects: a 307 or 308 would resend a form, client secret included, to
// wherever it points.
func clientFor(c *http.Client) *http.Client {
	if c == nil {
		return defaultClient
	}
	cc := *c
	cc.CheckRedirect = noRedirect
	return &cc
}
