package oauthhttp

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"sync"
)

// certKey keys the cache of certificate-presenting transports: the base
// transport and the certificate.
type certKey struct {
	base *http.Transport
	cert *tls.Certificate
}

// certTransports caches the transports CertTransport makes, so that each
// (base, certificate) pair keeps one connection pool and TLS sessions are
// reused across requests.
var certTransports sync.Map // certKey → *http.Transport

// CertTransport returns a transport that sends as base does and presents
// cert as its TLS client certificate (RFC 8705). base nil means the
// default client's transport; otherwise it must be an *[http.Transport],
// which is cloned (its proxy, timeouts and root CAs kept): any other
// RoundTripper cannot be told to present a certificate, and is an error.
// The result is cached per (base, cert) pair, so repeated calls share one
// connection pool.
func CertTransport(base http.RoundTripper, cert *tls.Certificate) (*http.Transport, error) {
	src := defaultClient.Transport.(*http.Transport)
	if base != nil {
		ht, ok := base.(*http.Transport)
		if !ok {
			return nil, fmt.Errorf("the HTTP client's transport is a %T, not an *http.Transport: it cannot be made to present the TLS client certificate; set the certificate in its own TLS configuration and use a plain client authentication", base)
		}
		src = ht
	}
	key := certKey{src, cert}
	if t, ok := certTransports.Load(key); ok {
		return t.(*http.Transport), nil
	}
	t := src.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	// Always present cert: crypto/tls would send none when the server
	// lists acceptable CAs that did not issue it, as a server asking for
	// self_signed_tls_client_auth certificates may (RFC 8705 §2.2).
	t.TLSClientConfig.Certificates = nil
	t.TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
		return cert, nil
	}
	actual, _ := certTransports.LoadOrStore(key, t)
	return actual.(*http.Transport), nil
}

// WithCertificate returns a client like c (nil means [DefaultClient]) whose
// transport presents cert as its TLS client certificate; see
// [CertTransport]. Its timeout and cookie jar are c's.
func WithCertificate(c *http.Client, cert *tls.Certificate) (*http.Client, error) {
	if c == nil {
		c = defaultClient
	}
	base := c.Transport
	if c == defaultClient {
		base = nil
	}
	t, err := CertTransport(base, cert)
	if err != nil {
		return nil, err
	}
	cc := *c
	cc.Transport = t
	return &cc, nil
}
