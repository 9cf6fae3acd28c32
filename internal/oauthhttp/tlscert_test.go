package oauthhttp

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
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
	def, err := CertTransport(nil, cert)
	if err != nil || def.TLSHandshakeTimeout != TLSHandshakeTimeout {
		t.Errorf("nil base: %v, timeout %v", err, def.TLSHandshakeTimeout)
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
