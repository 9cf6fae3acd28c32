package oauth2test_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/certtest"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// TestMTLSClientAuth: tls_client_auth accepts a certificate of the trusted
// CA with the registered subject only; the token it gets is bound
// (introspection shows cnf.x5t#S256); discovery advertises the listener;
// registration needs Options.MTLS.
func TestMTLSClientAuth(t *testing.T) {
	t.Parallel()
	ca := certtest.New(t, nil, certtest.Options{CA: true})
	otherCA := certtest.New(t, nil, certtest.Options{CA: true})
	good := certtest.New(t, ca, certtest.Options{CommonName: "app"})
	srv := oauth2test.NewServer(&oauth2test.Options{MTLS: true, ClientCAs: ca.Pool(), Clients: []oauth2test.Client{
		{ID: "app", AuthMethod: oauth2test.AuthMethodTLSClient, TLSSubject: good.Leaf.Subject.String()},
		{ID: "rs", Secret: "rs-secret"},
	}})
	t.Cleanup(srv.Close)
	post := func(cert *certtest.Cert, path string, form url.Values) map[string]any {
		t.Helper()
		hc := srv.MTLSClient()
		if cert != nil {
			hc.Transport.(*http.Transport).TLSClientConfig.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert.TLS, nil }
		}
		resp, err := hc.PostForm(srv.MTLSURL()+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	cc := url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}}
	for name, cert := range map[string]*certtest.Cert{
		"another CA":      certtest.New(t, otherCA, certtest.Options{CommonName: "app"}),
		"another subject": certtest.New(t, ca, certtest.Options{CommonName: "intruder"}),
		"expired":         certtest.New(t, ca, certtest.Options{CommonName: "app", Expired: true}),
	} {
		if out := post(cert, oauth2test.PathToken, cc); out["error"] != "invalid_client" {
			t.Errorf("%s: %v, want invalid_client", name, out)
		}
	}
	out := post(good, oauth2test.PathToken, cc)
	at, _ := out["access_token"].(string)
	if at == "" {
		t.Fatalf("good certificate: %v", out)
	}
	intro := post(nil, oauth2test.PathIntrospect, url.Values{"token": {at}, "client_id": {"rs"}, "client_secret": {"rs-secret"}})
	cnf, _ := intro["cnf"].(map[string]any)
	if cnf["x5t#S256"] == nil {
		t.Errorf("introspection: %v, want cnf.x5t#S256", intro)
	}

	resp, err := http.Get(srv.URL + oauth2test.PathOIDCConfig)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`"tls_client_certificate_bound_access_tokens":true`, `"mtls_endpoint_aliases"`, `"self_signed_tls_client_auth"`, srv.MTLSURL() + oauth2test.PathToken} {
		if !strings.Contains(string(body), want) {
			t.Errorf("discovery lacks %s", want)
		}
	}

	plain := oauth2test.NewServer(nil)
	t.Cleanup(plain.Close)
	if err := plain.RegisterClient(oauth2test.Client{ID: "x", AuthMethod: oauth2test.AuthMethodSelfSignedTLSClient, TLSCertificates: []*x509.Certificate{good.Leaf}}); err == nil || !strings.Contains(err.Error(), "Options.MTLS") {
		t.Errorf("registration without MTLS: %v", err)
	}
	if plain.MTLSURL() != "" || plain.MTLSClient() != nil {
		t.Error("a server without MTLS has an mTLS listener")
	}
}
