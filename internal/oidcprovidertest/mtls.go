package oidcprovidertest

import (
	"crypto/tls"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/certtest"
)

// MTLSProvider is a running oidc-provider with its mTLS feature (RFC
// 8705): testdata/oidc-provider/mtls.mjs, separate from [Start]'s
// provider. Its issuer (plain http on 127.0.0.1) serves discovery and
// authorization; an HTTPS listener asking for client certificates serves
// the mtls_endpoint_aliases discovery lists. Its access tokens are bound
// to the client certificate.
type MTLSProvider struct {
	// Issuer is the issuer URL, http://127.0.0.1:PORT.
	Issuer string
	// MTLSURL is the HTTPS listener's base URL.
	MTLSURL string
	// PKI is the tls_client_auth client: PKICert, issued by CA, is its
	// certificate (its subject registered).
	PKI     Client
	PKICert *certtest.Cert
	// CA issued PKICert; the provider trusts it for tls_client_auth.
	CA *certtest.Cert
	// SelfSigned is the self_signed_tls_client_auth client, with
	// SelfCert registered (in its jwks, as x5c).
	SelfSigned Client
	SelfCert   *certtest.Cert
	// Dir holds the certificates' PEM files: pki.crt, pki.key, self.crt,
	// self.key, ca.crt and the server's.
	Dir string

	server *certtest.Cert
}

// StartMTLS runs mtls.mjs for the lifetime of t, with fresh certificates,
// skipping or failing t as [Start] does.
func StartMTLS(t testing.TB) *MTLSProvider {
	t.Helper()
	node, dir := required(t)
	p := &MTLSProvider{Dir: t.TempDir()}
	p.CA = certtest.New(t, nil, certtest.Options{CommonName: "oidc-provider test CA", CA: true})
	p.PKICert = certtest.New(t, p.CA, certtest.Options{CommonName: "mtls-pki"})
	p.SelfCert = certtest.New(t, nil, certtest.Options{CommonName: "mtls-self"})
	p.server = certtest.New(t, nil, certtest.Options{CommonName: "127.0.0.1", Server: true})
	p.PKICert.WriteFiles(t, p.Dir, "pki")
	p.SelfCert.WriteFiles(t, p.Dir, "self")
	p.server.WriteFiles(t, p.Dir, "server")
	if err := os.WriteFile(filepath.Join(p.Dir, "ca.crt"), p.CA.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	line := launch(t, node, dir, "mtls.mjs", "0", p.Dir)
	var v struct {
		Issuer  string `json:"issuer"`
		MTLSURL string `json:"mtls_url"`
	}
	if err := json.Unmarshal(line, &v); err != nil || v.Issuer == "" || v.MTLSURL == "" {
		t.Fatalf("oidcprovidertest: bad mtls.mjs ready line %q: %v", line, err)
	}
	p.Issuer, p.MTLSURL = v.Issuer, v.MTLSURL
	p.PKI = Client{ID: "mtls-pki", AuthMethod: "tls_client_auth"}
	p.SelfSigned = Client{ID: "mtls-self", AuthMethod: "self_signed_tls_client_auth"}
	return p
}

// HTTPClient returns a new client trusting the HTTPS listener's
// certificate and presenting none: an *http.Transport oauth2client clones
// to present the client certificate.
func (p *MTLSProvider) HTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: p.server.Pool(), MinVersion: tls.VersionTLS12},
	}}
}

// Endpoint returns the provider's endpoint from discovery (with its
// mtls_endpoint_aliases), failing t if discovery fails.
func (p *MTLSProvider) Endpoint(t testing.TB) *oauth2client.Endpoint {
	t.Helper()
	return discoverEndpoint(t, p.Issuer)
}
