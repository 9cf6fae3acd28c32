package oauth2client

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client/internal/certtest"
	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// certTokenSource is a token source whose tokens are bound to cert.
type certTokenSource struct{ cert *tls.Certificate }

func (s certTokenSource) Token(context.Context) (*Token, error) {
	return &Token{AccessToken: "at", TokenType: "Bearer"}, nil
}

func (s certTokenSource) TLSCertificate() *tls.Certificate { return s.cert }

// TestTransportCertificateNotRedirectedAway: the client certificate is
// presented to the origin of the bound request only; a redirect to
// another origin goes through Base without it (and without the token).
func TestTransportCertificateNotRedirectedAway(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	certs := map[string]int{} // server → certificates presented
	tokens := map[string]string{}
	record := func(name string, next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			certs[name] = len(r.TLS.PeerCertificates)
			tokens[name] = r.Header.Get("Authorization")
			mu.Unlock()
			next.ServeHTTP(w, r)
		})
	}
	start := func(h http.Handler) *httptest.Server {
		srv := httptest.NewUnstartedServer(h)
		srv.TLS = &tls.Config{ClientAuth: tls.RequestClientCert, MinVersion: tls.VersionTLS12}
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv
	}
	away := start(record("away", http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})))
	bound := start(record("bound", http.RedirectHandler(away.URL+"/x", http.StatusFound)))
	cert := certtest.New(t, nil, certtest.Options{})
	// httptest servers share one certificate: the bound one's client trusts both.
	base := bound.Client().Transport.(*http.Transport).Clone()
	hc := &http.Client{Transport: &Transport{Source: certTokenSource{&cert.TLS}, Base: base}}
	resp, err := hc.Get(bound.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if certs["bound"] != 1 || tokens["bound"] == "" {
		t.Errorf("the bound origin got %d certificates, token %v; want the certificate and the token", certs["bound"], tokens["bound"] != "")
	}
	if certs["away"] != 0 || tokens["away"] != "" {
		t.Errorf("a redirect to another origin got %d certificates, token %v; want neither", certs["away"], tokens["away"] != "")
	}
}

// TestTransportNilBaseCertificate: with no Base, a Transport presenting a
// certificate sends through a clone of http.DefaultTransport, the same
// transport package oauthhttp uses for a caller's client with no
// Transport (token requests of credentials with such an HTTPClient).
func TestTransportNilBaseCertificate(t *testing.T) {
	t.Parallel()
	cert := certtest.New(t, nil, certtest.Options{})
	got, err := (&Transport{Source: certTokenSource{&cert.TLS}}).base()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := oauthhttp.WithCertificate(&http.Client{}, &cert.TLS)
	if err != nil {
		t.Fatal(err)
	}
	std, err := oauthhttp.CertTransport(http.DefaultTransport, &cert.TLS)
	if err != nil {
		t.Fatal(err)
	}
	if got != std || hc.Transport != std {
		t.Errorf("Transport with nil Base sends through %p, a client with nil Transport through %p; want both the clone of http.DefaultTransport %p", got, hc.Transport, std)
	}
}
