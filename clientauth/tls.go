package clientauth

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/oauth2client/oauth2client"
)

// Client authentication methods by TLS certificate (RFC 8705 §2).
const (
	// MethodTLSClient is tls_client_auth: a certificate issued by a CA the
	// server trusts, matched by its subject (RFC 8705 §2.1).
	MethodTLSClient = "tls_client_auth"
	// MethodSelfSignedTLSClient is self_signed_tls_client_auth: a
	// certificate registered with the server, e.g. in the client's jwks
	// (RFC 8705 §2.2).
	MethodSelfSignedTLSClient = "self_signed_tls_client_auth"
)

// TLSExtension names the field of stored credentials
// ([oauth2client.CredentialsState].Extensions) where a [TLSClientAuth]
// keeps its certificate: the absolute paths of its PEM files, or, for a
// certificate given in memory, the PEM itself (see
// [TLSClientAuth.StateExtension]).
const TLSExtension = "tls_client_certificate"

// CertificateError reports a client certificate that cannot be used: a
// file that cannot be read or parsed, a key that does not match, or a
// certificate that has expired or is not yet valid. It names the file (or
// "certificate"), never the key.
type CertificateError struct {
	// Source names the certificate, e.g. its file name.
	Source string
	// Reason says what is wrong.
	Reason string
	err    error
}

// Error names the source and the reason.
func (e *CertificateError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("clientauth: client certificate %s: %s: %v", e.Source, e.Reason, e.err)
	}
	return fmt.Sprintf("clientauth: client certificate %s: %s", e.Source, e.Reason)
}

// Unwrap returns the underlying cause.
func (e *CertificateError) Unwrap() error { return e.err }

// ErrCertificateExpired is wrapped by the [*CertificateError] of a
// certificate past its NotAfter (or before its NotBefore).
var ErrCertificateExpired = errors.New("outside its validity period")

// TLSClientAuth is tls_client_auth or self_signed_tls_client_auth (RFC
// 8705 §2): the client proves itself by presenting a TLS client
// certificate, and the form carries only its client_id; or, from
// [NewPublicTLSClient], a public client ("none") presenting one so that
// its tokens are bound to it (RFC 8705 §3, §4). It implements
// [oauth2client.CertificateAuth], so every request of a Flow or
// Credentials using it presents the certificate, to the server's
// mtls_endpoint_aliases, and tokens bound to the certificate (RFC 8705 §3)
// work through their [oauth2client.Transport]; and
// [oauth2client.ClientAuthExtension], so stored credentials remember the
// certificate (see [RestoreTLSClientAuth]). It is safe for concurrent
// use.
type TLSClientAuth struct {
	cert     tls.Certificate
	method   string
	thumb    string
	notAfter time.Time
	certFile string // absolute paths when loaded from files
	keyFile  string
}

// tlsRef is the stored form of a [TLSClientAuth]: file paths, or PEM.
type tlsRef struct {
	Method   string `json:"method"`
	CertFile string `json:"cert_file,omitempty"`
	KeyFile  string `json:"key_file,omitempty"`
	CertPEM  string `json:"cert_pem,omitempty"`
	KeyPEM   string `json:"key_pem,omitempty"`
	// Thumbprint is the certificate's x5t#S256 when stored, to say which
	// one the tokens were bound to.
	Thumbprint string `json:"x5t#S256"`
}

// NewTLSClientAuth returns tls_client_auth presenting cert, whose first
// certificate is the client's (its chain may follow). An expired
// certificate, or one not yet valid, is a [*CertificateError] wrapping
// [ErrCertificateExpired].
func NewTLSClientAuth(cert tls.Certificate) (*TLSClientAuth, error) {
	return newTLS(cert, false, "certificate", time.Now())
}

// NewSelfSignedTLSClientAuth is [NewTLSClientAuth] for
// self_signed_tls_client_auth.
func NewSelfSignedTLSClientAuth(cert tls.Certificate) (*TLSClientAuth, error) {
	return newTLS(cert, true, "certificate", time.Now())
}

// NewPublicTLSClient returns the authentication of a public client
// ("none": only client_id in the form) that presents cert all the same, so
// that the server binds its access tokens, and its refresh tokens, to the
// certificate (RFC 8705 §3, §4): a native app can hold a self-made
// certificate without registering it.
func NewPublicTLSClient(cert tls.Certificate) (*TLSClientAuth, error) {
	a, err := newTLS(cert, false, "certificate", time.Now())
	if err != nil {
		return nil, err
	}
	a.method = methodNone
	return a, nil
}

// methodNone is the "none" method of a public client.
const methodNone = "none"

// LoadTLSClientAuth reads the client certificate (PEM, its chain may
// follow) and its private key (PEM) from certFile and keyFile, and returns
// self_signed_tls_client_auth when selfSigned, else tls_client_auth.
// Stored credentials keep the files' absolute paths, never the key.
// Errors are [*CertificateError]s naming the file at fault.
func LoadTLSClientAuth(certFile, keyFile string, selfSigned bool) (*TLSClientAuth, error) {
	cert, err := LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	a, err := newTLS(cert, selfSigned, certFile, time.Now())
	if err != nil {
		return nil, err
	}
	if a.certFile, err = filepath.Abs(certFile); err != nil {
		return nil, &CertificateError{Source: certFile, Reason: "no absolute path", err: err}
	}
	if a.keyFile, err = filepath.Abs(keyFile); err != nil {
		return nil, &CertificateError{Source: keyFile, Reason: "no absolute path", err: err}
	}
	return a, nil
}

// LoadX509KeyPair is [tls.LoadX509KeyPair] with errors that name the file
// at fault (and never quote the key), and with the leaf certificate
// parsed. It refuses files over [MaxKeySize].
func LoadX509KeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := readLimited(certFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := readLimited(keyFile)
	if err != nil {
		return tls.Certificate{}, err
	}
	return parsePair(certPEM, keyPEM, certFile, keyFile)
}

// readLimited reads a PEM file of at most MaxKeySize bytes.
func readLimited(name string) ([]byte, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, &CertificateError{Source: name, Reason: "cannot read", err: err}
	}
	if len(b) > MaxKeySize {
		return nil, &CertificateError{Source: name, Reason: fmt.Sprintf("file of %d bytes, limit %d", len(b), MaxKeySize)}
	}
	return b, nil
}

// parsePair parses a certificate chain and key, naming certSrc and keySrc
// in errors.
func parsePair(certPEM, keyPEM []byte, certSrc, keySrc string) (tls.Certificate, error) {
	if b, _ := pem.Decode(certPEM); b == nil || b.Type != "CERTIFICATE" {
		return tls.Certificate{}, &CertificateError{Source: certSrc, Reason: "no PEM CERTIFICATE block"}
	}
	if b, _ := pem.Decode(keyPEM); b == nil {
		return tls.Certificate{}, &CertificateError{Source: keySrc, Reason: "no PEM private key block"}
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// crypto/tls's messages describe the mismatch, never the key.
		return tls.Certificate{}, &CertificateError{Source: certSrc + " and " + keySrc, Reason: "not a matching certificate and private key", err: err}
	}
	return cert, nil
}

// newTLS checks cert and returns its authentication.
func newTLS(cert tls.Certificate, selfSigned bool, source string, now time.Time) (*TLSClientAuth, error) {
	if len(cert.Certificate) == 0 || cert.PrivateKey == nil {
		return nil, &CertificateError{Source: source, Reason: "no certificate or no private key"}
	}
	leaf := cert.Leaf
	if leaf == nil {
		var err error
		if leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return nil, &CertificateError{Source: source, Reason: "not an X.509 certificate", err: err}
		}
		cert.Leaf = leaf
	}
	switch {
	case now.After(leaf.NotAfter):
		return nil, &CertificateError{Source: source, Reason: "expired at " + leaf.NotAfter.UTC().Format(time.RFC3339), err: ErrCertificateExpired}
	case now.Before(leaf.NotBefore):
		return nil, &CertificateError{Source: source, Reason: "not valid before " + leaf.NotBefore.UTC().Format(time.RFC3339), err: ErrCertificateExpired}
	}
	method := MethodTLSClient
	if selfSigned {
		method = MethodSelfSignedTLSClient
	}
	return &TLSClientAuth{cert: cert, method: method, thumb: Thumbprint(leaf),
		notAfter: leaf.NotAfter}, nil
}

// Thumbprint returns the x5t#S256 of cert (RFC 8705 §3.1): the
// base64url-encoded SHA-256 of its DER encoding, the value of an access
// token's "cnf" claim when bound to it.
func Thumbprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Method returns "tls_client_auth" or "self_signed_tls_client_auth", or
// "none" for [NewPublicTLSClient].
func (a *TLSClientAuth) Method() string { return a.method }

// String names the method and the certificate's thumbprint, never the
// key.
func (a *TLSClientAuth) String() string { return a.method + " (x5t#S256 " + a.thumb + ")" }

// Thumbprint returns the x5t#S256 of the client certificate, which the
// tokens bound to it carry in their "cnf" claim.
func (a *TLSClientAuth) Thumbprint() string { return a.thumb }

// NotAfter returns when the client certificate expires.
func (a *TLSClientAuth) NotAfter() time.Time { return a.notAfter }

// TLSCertificate returns the certificate presented; see
// [oauth2client.CertificateAuth].
func (a *TLSClientAuth) TLSCertificate() *tls.Certificate { return &a.cert }

// Authenticate adds client_id to the form (RFC 8705 §2): the certificate
// itself authenticates the client.
func (a *TLSClientAuth) Authenticate(_ context.Context, r *oauth2client.ClientAuthRequest) error {
	if time.Now().After(a.notAfter) {
		return &CertificateError{Source: a.source(), Reason: "expired at " + a.notAfter.UTC().Format(time.RFC3339), err: ErrCertificateExpired}
	}
	r.Form.Set("client_id", r.ClientID)
	return nil
}

// source names the certificate in errors.
func (a *TLSClientAuth) source() string {
	if a.certFile != "" {
		return a.certFile
	}
	return "certificate"
}

// StateExtension returns the [TLSExtension] field stored credentials keep:
// the absolute paths of the files the certificate was loaded from, or,
// for one given in memory, the certificate chain and the private key as
// PEM (stores keep it as they keep refresh tokens: files are written
// 0600). See [oauth2client.ClientAuthExtension].
func (a *TLSClientAuth) StateExtension() (string, json.RawMessage) {
	ref := tlsRef{Method: a.method, CertFile: a.certFile, KeyFile: a.keyFile, Thumbprint: a.thumb}
	if a.certFile == "" {
		keyDER, err := x509.MarshalPKCS8PrivateKey(a.cert.PrivateKey)
		if err != nil {
			return "", nil // a key PKCS #8 cannot hold: nothing to restore it from
		}
		var chain []byte
		for _, der := range a.cert.Certificate {
			chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
		}
		ref.CertPEM = string(chain)
		ref.KeyPEM = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))
	}
	raw, err := json.Marshal(ref)
	if err != nil {
		return "", nil
	}
	return TLSExtension, raw
}

// RestoreTLSClientAuth returns the [TLSClientAuth] stored credentials
// s keep in their [TLSExtension] field, reading the files it names again,
// or nil and no error when s has no such field. A field that is corrupt,
// or names files that are gone, expired or hold another certificate than
// the one stored with the field (the tokens are bound to it), is an error
// naming the field or file: a [*CertificateError] for the certificate,
// wrapping [ErrCertificateMismatch] for another one.
func RestoreTLSClientAuth(s *oauth2client.CredentialsState) (*TLSClientAuth, error) {
	raw, ok := s.Extensions[TLSExtension]
	if !ok {
		return nil, nil
	}
	var ref tlsRef
	if err := json.Unmarshal(raw, &ref); err != nil {
		return nil, fmt.Errorf("clientauth: stored field %q is not a client certificate reference", TLSExtension)
	}
	selfSigned := ref.Method == MethodSelfSignedTLSClient
	if !selfSigned && ref.Method != MethodTLSClient && ref.Method != methodNone {
		return nil, fmt.Errorf("clientauth: stored field %q: unknown method", TLSExtension)
	}
	var a *TLSClientAuth
	var err error
	switch {
	case ref.CertFile != "" && ref.KeyFile != "":
		a, err = LoadTLSClientAuth(ref.CertFile, ref.KeyFile, selfSigned)
	case ref.CertPEM != "" && ref.KeyPEM != "":
		var cert tls.Certificate
		src := fmt.Sprintf("stored in field %q", TLSExtension)
		if cert, err = parsePair([]byte(ref.CertPEM), []byte(ref.KeyPEM), src, src); err == nil {
			a, err = newTLS(cert, selfSigned, src, time.Now())
		}
	default:
		return nil, fmt.Errorf("clientauth: stored field %q names neither certificate files nor PEM", TLSExtension)
	}
	if err != nil {
		return nil, err
	}
	// Another certificate in the same files is refused: the stored tokens
	// are bound to the old one (RFC 8705 §3; a public client's refresh
	// token too, §4), so a refresh would fail with invalid_grant and the
	// credentials be marked invalid, where the cause is the certificate.
	if ref.Thumbprint != "" && ref.Thumbprint != a.thumb {
		return nil, &CertificateError{Source: a.source(), Reason: fmt.Sprintf("the stored credentials are bound to another certificate (x5t#S256 %s, the file's is %s): restore that certificate, or log in again with this one", ref.Thumbprint, a.thumb), err: ErrCertificateMismatch}
	}
	a.method = ref.Method
	return a, nil
}

// ErrCertificateMismatch is wrapped by the [*CertificateError] of
// [RestoreTLSClientAuth] when the files stored credentials name now hold
// another certificate than the one their tokens are bound to.
var ErrCertificateMismatch = errors.New("not the certificate the stored credentials are bound to")

var (
	_ oauth2client.CertificateAuth     = (*TLSClientAuth)(nil)
	_ oauth2client.ClientAuthExtension = (*TLSClientAuth)(nil)
)

// SelfSigned reports whether cert is signed by its own key, as the
// certificates of self_signed_tls_client_auth usually are.
func SelfSigned(cert *x509.Certificate) bool {
	return cert != nil && bytes.Equal(cert.RawIssuer, cert.RawSubject) &&
		cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature) == nil
}
