package oauth2test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Client authentication methods by TLS client certificate (RFC 8705 §2),
// accepted in [Client].AuthMethod when [Options].MTLS is set.
const (
	// AuthMethodTLSClient is tls_client_auth: a certificate chaining to
	// [Options].ClientCAs whose subject is the client's TLSSubject.
	AuthMethodTLSClient = "tls_client_auth"
	// AuthMethodSelfSignedTLSClient is self_signed_tls_client_auth: one of
	// the client's TLSCertificates, matched by its SHA-256 thumbprint.
	AuthMethodSelfSignedTLSClient = "self_signed_tls_client_auth"
)

// mtlsState is the server's HTTPS listener for mutual TLS (RFC 8705).
type mtlsState struct {
	url   string       // https://127.0.0.1:PORT
	srv   *http.Server // serves the same handler as the plain listener
	roots *x509.CertPool
	der   []byte // the listener's certificate
	done  chan struct{}
	// handshakes counts completed TLS handshakes on the listener; guarded
	// by Server.mu.
	handshakes int64
	// counts are the mTLS events, by outcome, for /metrics; guarded by
	// Server.mu.
	counts map[string]int64
}

// startMTLS starts the HTTPS listener of Options.MTLS on 127.0.0.1.
func (s *Server) startMTLS() error {
	cert, roots, err := serverCertificate()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("oauth2test: listen for mTLS: %w", err)
	}
	m := &mtlsState{url: "https://" + ln.Addr().String(), roots: roots, der: cert.Certificate[0], done: make(chan struct{}), counts: map[string]int64{}}
	cfg := &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		// Ask for a certificate, verify none at the handshake: the
		// endpoints decide, per client (RFC 8705 §7.1).
		ClientAuth: tls.RequestClientCert,
		VerifyConnection: func(tls.ConnectionState) error {
			s.mu.Lock()
			m.handshakes++
			s.mu.Unlock()
			return nil
		},
	}
	m.srv = &http.Server{Handler: s.handler, TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	s.mtls = m
	go func() {
		defer close(m.done)
		_ = m.srv.ServeTLS(ln, "", "")
	}()
	return nil
}

// closeMTLS stops the HTTPS listener, if any.
func (s *Server) closeMTLS() {
	if s.mtls != nil {
		s.mtls.srv.Close()
		<-s.mtls.done
	}
}

// serverCertificate makes a self-signed P-256 certificate for 127.0.0.1
// and a pool trusting it.
func serverCertificate() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("oauth2test: mTLS server key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "oauth2test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("oauth2test: mTLS server certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("oauth2test: mTLS server certificate: %w", err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// MTLSURL returns the base URL of the HTTPS listener of [Options].MTLS,
// "https://127.0.0.1:PORT", where every endpoint is also served (it is
// what discovery's mtls_endpoint_aliases point to), or "" without it.
func (s *Server) MTLSURL() string {
	if s.mtls == nil {
		return ""
	}
	return s.mtls.url
}

// MTLSRootCAs returns a pool trusting the certificate of the HTTPS
// listener, or nil without [Options].MTLS.
func (s *Server) MTLSRootCAs() *x509.CertPool {
	if s.mtls == nil {
		return nil
	}
	return s.mtls.roots
}

// MTLSCertificatePEM returns the HTTPS listener's certificate in PEM, for
// clients in other processes to trust (e.g. through SSL_CERT_FILE), or nil
// without [Options].MTLS.
func (s *Server) MTLSCertificatePEM() []byte {
	if s.mtls == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.mtls.der})
}

// MTLSClient returns a new HTTP client trusting the HTTPS listener's
// certificate, presenting no client certificate of its own: an
// *http.Transport that oauth2client clones to present one. It follows no
// redirects and uses no proxy. Nil without [Options].MTLS.
func (s *Server) MTLSClient() *http.Client {
	if s.mtls == nil {
		return nil
	}
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: s.mtls.roots, MinVersion: tls.VersionTLS12},
	}}
}

// MTLSHandshakes returns how many TLS handshakes the HTTPS listener has
// completed: with keep-alive connections, one per connection.
func (s *Server) MTLSHandshakes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mtls == nil {
		return 0
	}
	return int(s.mtls.handshakes)
}

// countMTLS adds one mTLS event of outcome to the metrics. Callers hold
// s.mu.
func (s *Server) countMTLS(outcome string) {
	if s.mtls != nil {
		s.mtls.counts[outcome]++
	}
}

// certThumbprint returns the x5t#S256 of the client certificate r's
// connection presented (RFC 8705 §3.1), or "" for none.
func certThumbprint(r *http.Request) string {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return ""
	}
	sum := sha256.Sum256(r.TLS.PeerCertificates[0].Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tlsAuth reports whether the client authenticates by TLS certificate.
func (c *Client) tlsAuth() bool {
	return c.AuthMethod == AuthMethodTLSClient || c.AuthMethod == AuthMethodSelfSignedTLSClient
}

// checkTLSRegistration checks the certificate settings of a client being
// registered with method tls_client_auth or self_signed_tls_client_auth.
func (s *Server) checkTLSRegistration(c *Client) error {
	switch {
	case !s.opts.MTLS:
		return fmt.Errorf("oauth2test: register client %q: %s needs Options.MTLS", c.ID, c.AuthMethod)
	case c.AuthMethod == AuthMethodTLSClient && (c.TLSSubject == "" || s.opts.ClientCAs == nil):
		return fmt.Errorf("oauth2test: register client %q: tls_client_auth needs a TLSSubject and Options.ClientCAs", c.ID)
	case c.AuthMethod == AuthMethodSelfSignedTLSClient && len(c.TLSCertificates) == 0:
		return fmt.Errorf("oauth2test: register client %q: self_signed_tls_client_auth needs TLSCertificates", c.ID)
	}
	return nil
}

// checkClientCert authenticates client c of r by the certificate r's
// connection presented (RFC 8705 §2): for tls_client_auth, a chain to
// Options.ClientCAs with c's subject; for self_signed_tls_client_auth,
// one of c's certificates.
func (s *Server) checkClientCert(r *http.Request, c *Client) *oauthError {
	e := s.clientCertError(r, c)
	s.mu.Lock()
	if e != nil {
		s.countMTLS("client_auth_refused")
	} else {
		s.countMTLS("client_auth_ok")
	}
	s.mu.Unlock()
	return e
}

// clientCertError is checkClientCert without the counting.
func (s *Server) clientCertError(r *http.Request, c *Client) *oauthError {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return invalidClient(c.AuthMethod + ": no client certificate presented (use the mtls_endpoint_aliases)")
	}
	leaf := r.TLS.PeerCertificates[0]
	now := time.Now()
	if now.After(leaf.NotAfter) || now.Before(leaf.NotBefore) {
		return invalidClient(c.AuthMethod + ": the client certificate is expired or not yet valid")
	}
	if c.AuthMethod == AuthMethodSelfSignedTLSClient {
		got := sha256.Sum256(leaf.Raw)
		if slices.ContainsFunc(c.TLSCertificates, func(x *x509.Certificate) bool { return sha256.Sum256(x.Raw) == got }) {
			return nil
		}
		return invalidClient("self_signed_tls_client_auth: the client certificate is not one registered for the client")
	}
	inter := x509.NewCertPool()
	for _, ic := range r.TLS.PeerCertificates[1:] {
		inter.AddCert(ic)
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: s.opts.ClientCAs, Intermediates: inter,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		return invalidClient("tls_client_auth: the client certificate does not chain to a trusted CA")
	}
	if leaf.Subject.String() != c.TLSSubject {
		return invalidClient("tls_client_auth: the client certificate's subject is not the client's")
	}
	return nil
}

// bindCertificate binds the access token of a token response to the
// client certificate r's connection presented (RFC 8705 §3), if any.
func (s *Server) bindCertificate(resp any, r *http.Request) {
	tr, ok := resp.(*tokenResponse)
	thumb := certThumbprint(r)
	if !ok || thumb == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if at := s.access[tr.AccessToken]; at != nil {
		at.x5t = thumb
		s.countMTLS("token_bound")
	}
	// RFC 8705 §4: a public client's refresh tokens are bound to the
	// certificate too (a confidential client's are bound to the client).
	if rt := s.refresh[tr.RefreshToken]; rt != nil {
		if c := s.clients[rt.grant.clientID]; c != nil && c.public() {
			rt.grant.x5t = thumb
		}
	}
}

// refreshCertificate checks that a refresh_token grant whose refresh
// token is bound to a client certificate (a public client's, RFC 8705 §4)
// comes from a connection presenting it. It writes invalid_grant and
// reports false when not.
func (s *Server) refreshCertificate(w http.ResponseWriter, r *http.Request) bool {
	if r.PostForm.Get("grant_type") != "refresh_token" {
		return true
	}
	s.mu.Lock()
	bound := ""
	if rt := s.validRefresh(r.PostForm.Get("refresh_token")); rt != nil {
		bound = rt.grant.x5t
	}
	refused := bound != "" && bound != certThumbprint(r)
	if refused {
		s.countMTLS("refresh_refused")
	}
	s.mu.Unlock()
	if refused {
		writeOAuthError(w, invalidGrant("the refresh token is bound to a TLS client certificate this connection did not present"))
	}
	return !refused
}

// checkCertBinding reports whether t may be used on r: unbound, or bound
// to the certificate r's connection presented (RFC 8705 §3). Otherwise it
// writes a 401 invalid_token.
func (s *Server) checkCertBinding(w http.ResponseWriter, r *http.Request, t *accessToken) bool {
	if t.x5t == "" {
		return true
	}
	ok := certThumbprint(r) == t.x5t
	s.mu.Lock()
	if ok {
		s.countMTLS("bound_use_ok")
	} else {
		s.countMTLS("bound_use_refused")
	}
	s.mu.Unlock()
	if !ok {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "the access token is bound to a TLS client certificate this connection did not present")
	}
	return ok
}

// mtlsDiscovery adds the mutual-TLS metadata (RFC 8705 §3.3, §5) to a
// discovery document.
func (s *Server) mtlsDiscovery(doc map[string]any) {
	if s.mtls == nil {
		return
	}
	u := s.mtls.url
	doc["tls_client_certificate_bound_access_tokens"] = true
	doc["mtls_endpoint_aliases"] = map[string]string{
		"token_endpoint":                        u + PathToken,
		"revocation_endpoint":                   u + PathRevoke,
		"introspection_endpoint":                u + PathIntrospect,
		"userinfo_endpoint":                     u + PathUserInfo,
		"device_authorization_endpoint":         u + PathDeviceCode,
		"pushed_authorization_request_endpoint": u + PathPAR,
	}
	for _, k := range []string{"token_endpoint_auth_methods_supported", "revocation_endpoint_auth_methods_supported", "introspection_endpoint_auth_methods_supported"} {
		if m, ok := doc[k].([]string); ok {
			doc[k] = append(slices.Clone(m), AuthMethodTLSClient, AuthMethodSelfSignedTLSClient)
		}
	}
}

// writeMTLSMetrics writes the mTLS counters. Callers hold s.mu.
func (s *Server) writeMTLSMetrics(b *strings.Builder) {
	if s.mtls == nil {
		return
	}
	writeCounter(b, "oauth2test_mtls_total",
		"Mutual-TLS events (client authentication, token binding, bound token use), by outcome.", "counter", "outcome", s.mtls.counts)
	writeCounter(b, "oauth2test_mtls_handshakes_total",
		"TLS handshakes completed on the mutual-TLS listener.", "counter", "listener", map[string]int64{"mtls": s.mtls.handshakes})
}
