package oauthhttp

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestCertTransport: the clone presents the certificate whatever CAs the
// server names, keeps the base's settings, is cached per (base,
// certificate), and a RoundTripper that is not an *http.Transport is a
// clear error.
func TestCertTransport(t *testing.T) {
	t.Parallel()
	cert := &tls.Certificate{Certificate: [][]byte{{1}}}
	roots := x509.NewCertPool()
	base := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, MaxConnsPerHost: 3}
	ct, err := CertTransport(base, cert)
	if err != nil {
		t.Fatal(err)
	}
	if ct == base || ct.TLSClientConfig.RootCAs != roots || ct.MaxConnsPerHost != 3 || base.TLSClientConfig.GetClientCertificate != nil {
		t.Error("the clone does not keep the base's settings, or modified the base")
	}
	got, err := ct.TLSClientConfig.GetClientCertificate(&tls.CertificateRequestInfo{AcceptableCAs: [][]byte{[]byte("another CA")}})
	if err != nil || got != cert {
		t.Errorf("presents %v, %v", got, err)
	}
	if again, _ := CertTransport(base, cert); again != ct {
		t.Error("not cached per (base, certificate)")
	}
	if other, _ := CertTransport(base, &tls.Certificate{}); other == ct {
		t.Error("another certificate shares the transport")
	}
	def, err := CertTransport(defaultClient.Transport, cert)
	if err != nil || def.TLSHandshakeTimeout != TLSHandshakeTimeout {
		t.Errorf("the default client's transport: %v, timeout %v", err, def.TLSHandshakeTimeout)
	}
	c, err := WithCertificate(nil, cert)
	if err != nil || c.Transport != def || c.Timeout != RequestTimeout {
		t.Errorf("WithCertificate(nil): %v", err)
	}
	_, err = WithCertificate(&http.Client{Transport: roundTripFunc(nil)}, cert)
	if err == nil || !strings.Contains(err.Error(), "not an *http.Transport") {
		t.Errorf("another RoundTripper: %v", err)
	}
}

// TestCertTransportNilBase: a nil base, and a caller's client with no
// Transport, mean http.DefaultTransport, as for [http.Client] and the
// root package's Transport.Base; only no client at all means the
// library's default client.
func TestCertTransportNilBase(t *testing.T) {
	t.Parallel()
	cert := &tls.Certificate{Certificate: [][]byte{[]byte("nil base")}}
	std, err := CertTransport(http.DefaultTransport, cert)
	if err != nil {
		t.Fatal(err)
	}
	if nilBase, err := CertTransport(nil, cert); err != nil || nilBase != std {
		t.Errorf("CertTransport(nil) is not a clone of http.DefaultTransport (err %v)", err)
	}
	mine := &http.Client{Timeout: 7}
	c, err := WithCertificate(mine, cert)
	if err != nil || c.Transport != std || c.Timeout != 7 {
		t.Errorf("WithCertificate(client with nil Transport): transport %p, want the clone of http.DefaultTransport %p (err %v)", c.Transport, std, err)
	}
	lib, err := WithCertificate(nil, cert)
	if err != nil || lib.Transport == std {
		t.Errorf("WithCertificate(nil) does not use the library's default transport (err %v)", err)
	}
}

// TestCertTransportCacheBounded: the same certificate chain, however many
// times it is loaded again (a new *tls.Certificate per bind), shares one
// transport; distinct certificates beyond MaxCertTransports evict the
// least recently used. Not parallel: it fills the shared cache.
func TestCertTransportCacheBounded(t *testing.T) {
	base := &http.Transport{}
	cached := func() int {
		certCache.Lock()
		defer certCache.Unlock()
		n := 0
		for k := range certCache.byKey {
			if k.base == base {
				n++
			}
		}
		return n
	}
	der := []byte("the same certificate")
	first, err := CertTransport(base, &tls.Certificate{Certificate: [][]byte{der}})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		again, err := CertTransport(base, &tls.Certificate{Certificate: [][]byte{slices.Clone(der)}})
		if err != nil || again != first {
			t.Fatalf("the same certificate loaded again gets another transport (err %v)", err)
		}
	}
	if n := cached(); n != 1 {
		t.Errorf("%d transports cached for 1,000 loads of one certificate, want 1", n)
	}
	for i := range 3 * MaxCertTransports {
		if _, err := CertTransport(base, &tls.Certificate{Certificate: [][]byte{fmt.Appendf(nil, "cert %d", i)}}); err != nil {
			t.Fatal(err)
		}
	}
	certCache.Lock()
	total := certCache.lru.Len()
	certCache.Unlock()
	if n := cached(); n != MaxCertTransports || total > MaxCertTransports {
		t.Errorf("%d transports cached for this base (%d in all) after %d certificates, want %d", n, total, 3*MaxCertTransports, MaxCertTransports)
	}
}
