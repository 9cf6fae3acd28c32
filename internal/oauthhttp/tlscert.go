package oauthhttp

import (
	"container/list"
	"crypto/sha256"
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"net/http"
	"sync"
)

// MaxCertTransports bounds how many certificate-presenting transports
// CertTransport keeps: the least recently used beyond it is dropped, its
// idle connections closed.
const MaxCertTransports = 64

// certKey keys the cache of certificate-presenting transports: the base
// transport and the SHA-256 of the certificate chain, so that the same
// certificate loaded again (a new *tls.Certificate on every bind of a
// stored entry) shares one transport.
type certKey struct {
	base *http.Transport
	sum  [sha256.Size]byte
}

// certEntry is a cached transport and its key.
type certEntry struct {
	key certKey
	t   *http.Transport
}

// certCache is the LRU cache of the transports CertTransport makes, so
// that each (base, certificate) pair keeps one connection pool and TLS
// sessions are reused across requests and binds.
var certCache = struct {
	sync.Mutex
	byKey map[certKey]*list.Element // of certEntry
	lru   list.List                 // most recently used first
}{byKey: make(map[certKey]*list.Element)}

// chainSum returns the SHA-256 of cert's chain (each DER length-prefixed).
func chainSum(cert *tls.Certificate) [sha256.Size]byte {
	h := sha256.New()
	var n [8]byte
	for _, der := range cert.Certificate {
		binary.BigEndian.PutUint64(n[:], uint64(len(der)))
		h.Write(n[:])
		h.Write(der)
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// CertTransport returns a transport that sends as base does and presents
// cert as its TLS client certificate (RFC 8705). base nil means
// http.DefaultTransport; base must be an *[http.Transport], which is cloned
// (its proxy, timeouts and root CAs kept): any other RoundTripper cannot be
// told to present a certificate, and is an error. The result is cached per
// base and certificate chain (not per pointer: the same certificate read
// again shares it), at most [MaxCertTransports] of them, so repeated calls
// share one connection pool.
func CertTransport(base http.RoundTripper, cert *tls.Certificate) (*http.Transport, error) {
	what := "the HTTP client's transport"
	if base == nil {
		base, what = http.DefaultTransport, "http.DefaultTransport"
	}
	src, ok := base.(*http.Transport)
	if !ok {
		return nil, fmt.Errorf("%s is a %T, not an *http.Transport: it cannot be made to present the TLS client certificate; set the certificate in its own TLS configuration and use a plain client authentication", what, base)
	}
	key := certKey{src, chainSum(cert)}
	certCache.Lock()
	defer certCache.Unlock()
	if e, ok := certCache.byKey[key]; ok {
		certCache.lru.MoveToFront(e)
		return e.Value.(certEntry).t, nil
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
	certCache.byKey[key] = certCache.lru.PushFront(certEntry{key, t})
	for certCache.lru.Len() > MaxCertTransports {
		old := certCache.lru.Back()
		e := certCache.lru.Remove(old).(certEntry)
		delete(certCache.byKey, e.key)
		e.t.CloseIdleConnections()
	}
	return t, nil
}

// WithCertificate returns a client like c (nil means [DefaultClient]) whose
// transport presents cert as its TLS client certificate; see
// [CertTransport]. Its timeout and cookie jar are c's. A c with no
// Transport sends through http.DefaultTransport, as [http.Client] does.
func WithCertificate(c *http.Client, cert *tls.Certificate) (*http.Client, error) {
	if c == nil {
		c = defaultClient
	}
	t, err := CertTransport(c.Transport, cert)
	if err != nil {
		return nil, err
	}
	cc := *c
	cc.Transport = t
	return &cc, nil
}
