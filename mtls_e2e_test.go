package oauth2client_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/certtest"
	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// mtlsServer starts oauth2test with its mutual-TLS listener, trusting ca
// for tls_client_auth, and registers client c.
func mtlsServer(t testing.TB, ca *certtest.Cert, c oauth2test.Client) *oauth2test.Server {
	t.Helper()
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true, MTLS: true, ClientCAs: ca.Pool()})
	t.Cleanup(srv.Close)
	c.AnyLoopbackRedirect = true
	if err := srv.RegisterClient(c); err != nil {
		t.Fatal(err)
	}
	return srv
}

// exchangeResumed runs the code flow of cfg against an oauth2test server
// that approves at once, as a web app does: the flow's AuthState is
// resumed before the callback is exchanged. It returns the credentials
// and the flow.
func exchangeResumed(t testing.TB, cfg oauth2client.Config) (*oauth2client.Credentials, *oauth2client.Flow) {
	t.Helper()
	flow, err := oauth2client.NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st, err := flow.Start(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := flow.Resume(st)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := resumed.ExchangeCallback(t.Context(), authorize(st.URL))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return creds, flow
}

// mtlsLogin runs the code flow of client id authenticating with auth and
// returns its credentials.
func mtlsLogin(t testing.TB, srv *oauth2test.Server, id string, auth oauth2client.ClientAuth) (*oauth2client.Credentials, *oauth2client.Flow) {
	t.Helper()
	endpoint, err := oauth2client.Discover(t.Context(), srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return exchangeResumed(t, oauth2client.Config{
		ClientID: id, Endpoint: *endpoint, ClientAuth: auth, HTTPClient: srv.MTLSClient(),
		RedirectURL: "http://127.0.0.1:8080/cb", Scopes: []string{"openid", "offline_access"},
	})
}

// status GETs u through rt and returns the status code.
func status(t testing.TB, rt http.RoundTripper, u string) int {
	t.Helper()
	resp, err := (&http.Client{Transport: rt}).Get(u)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// Issue 11, mutual TLS items 1-3: tls_client_auth and
// self_signed_tls_client_auth against oauth2test: discovery's
// mtls_endpoint_aliases are used, the token is bound to the certificate,
// the Transport presents it to the API and userinfo, refresh works, and
// credentials read back from their stored JSON find their certificate.
func TestMTLSFlowEndToEnd(t *testing.T) {
	t.Parallel()
	ca := certtest.New(t, nil, certtest.Options{CommonName: "test CA", CA: true})
	issued := certtest.New(t, ca, certtest.Options{CommonName: "app"})
	self := certtest.New(t, nil, certtest.Options{CommonName: "self"})
	tests := []struct {
		name   string
		client oauth2test.Client
		auth   func() (*clientauth.TLSClientAuth, error)
		cert   *certtest.Cert
	}{
		{name: "tls_client_auth", cert: issued,
			client: oauth2test.Client{ID: "app", AuthMethod: oauth2test.AuthMethodTLSClient, TLSSubject: issued.Leaf.Subject.String()},
			auth:   func() (*clientauth.TLSClientAuth, error) { return clientauth.NewTLSClientAuth(issued.TLS) }},
		{name: "self_signed_tls_client_auth from files", cert: self,
			client: oauth2test.Client{ID: "app", AuthMethod: oauth2test.AuthMethodSelfSignedTLSClient, TLSCertificates: []*x509.Certificate{self.Leaf}},
			auth: func() (*clientauth.TLSClientAuth, error) {
				c, k := self.WriteFiles(t, t.TempDir(), "client")
				return clientauth.LoadTLSClientAuth(c, k, true)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := mtlsServer(t, ca, tt.client)
			auth, err := tt.auth()
			if err != nil {
				t.Fatal(err)
			}
			creds, flow := mtlsLogin(t, srv, "app", auth)
			if got := flow.Config().Endpoint.TokenURL; !strings.HasPrefix(got, srv.MTLSURL()) {
				t.Errorf("token endpoint %s, want the mtls alias on %s", got, srv.MTLSURL())
			}
			if creds.TLSCertificate() != auth.TLSCertificate() {
				t.Error("credentials do not know their certificate")
			}
			tok := creds.CurrentToken()
			api := srv.MTLSURL() + oauth2test.PathCalendarList
			if got := status(t, creds.Client(srv.MTLSClient()).Transport, api); got != http.StatusOK {
				t.Errorf("API call presenting the certificate: %d", got)
			}
			if _, err := creds.UserInfo(t.Context()); err != nil {
				t.Errorf("userinfo with the bound token: %v", err)
			}
			// Attacks: the token from a connection without a certificate,
			// over plain http, and from one presenting another certificate.
			noCert := &oauth2client.Transport{Source: oauth2client.StaticTokenSource(tok), Base: srv.MTLSClient().Transport}
			if got := status(t, noCert, api); got != http.StatusUnauthorized {
				t.Errorf("bound token without a certificate: %d, want 401", got)
			}
			if got := status(t, &oauth2client.Transport{Source: oauth2client.StaticTokenSource(tok)}, srv.URL+oauth2test.PathCalendarList); got != http.StatusUnauthorized {
				t.Errorf("bound token over plain http: %d, want 401", got)
			}
			other := certtest.New(t, nil, certtest.Options{CommonName: "thief"})
			otherBase, err := oauthhttp.CertTransport(srv.MTLSClient().Transport, &other.TLS)
			if err != nil {
				t.Fatal(err)
			}
			if got := status(t, &oauth2client.Transport{Source: oauth2client.StaticTokenSource(tok), Base: otherBase}, api); got != http.StatusUnauthorized {
				t.Errorf("bound token with another certificate: %d, want 401", got)
			}

			if _, err := creds.Refresh(t.Context()); err != nil {
				t.Fatalf("refresh: %v", err)
			}
			// A restart: the stored JSON, read back, names the certificate.
			raw, err := json.Marshal(creds.State())
			if err != nil {
				t.Fatal(err)
			}
			var st oauth2client.CredentialsState
			if err := json.Unmarshal(raw, &st); err != nil {
				t.Fatal(err)
			}
			restored, err := clientauth.RestoreTLSClientAuth(&st)
			if err != nil || restored == nil {
				t.Fatalf("restore: %v, %v", restored, err)
			}
			if restored.Thumbprint() != clientauth.Thumbprint(tt.cert.Leaf) || restored.Method() != auth.Method() {
				t.Errorf("restored %s, want %s", restored, auth)
			}
			again := st.Credentials(oauth2client.CredentialsConfig{ClientAuth: restored, HTTPClient: srv.MTLSClient()})
			if _, err := again.Refresh(t.Context()); err != nil {
				t.Fatalf("refresh after the restart: %v", err)
			}
			if got := status(t, again.Client(srv.MTLSClient()).Transport, api); got != http.StatusOK {
				t.Errorf("API call after the restart: %d", got)
			}

			// Introspection and revocation go to their aliases too.
			if scopes, err := again.RetrieveScopes(t.Context()); err != nil || len(scopes) == 0 {
				t.Errorf("introspection through the alias: %v, %v", scopes, err)
			}
			last := again.CurrentToken()
			if err := again.Revoke(t.Context()); err != nil {
				t.Errorf("revocation through the alias: %v", err)
			}
			withCert, err := oauthhttp.CertTransport(srv.MTLSClient().Transport, auth.TLSCertificate())
			if err != nil {
				t.Fatal(err)
			}
			if got := status(t, &oauth2client.Transport{Source: oauth2client.StaticTokenSource(last), Base: withCert}, api); got != http.StatusUnauthorized {
				t.Errorf("the revoked token with its certificate: %d, want 401", got)
			}

			metrics := get(t, srv.URL+oauth2test.PathMetrics)
			for _, want := range []string{`oauth2test_mtls_total{outcome="bound_use_refused"} 3`, `oauth2test_mtls_total{outcome="client_auth_ok"}`, `oauth2test_mtls_handshakes_total`} {
				if !strings.Contains(metrics, want) {
					t.Errorf("metrics lack %s:\n%s", want, metrics)
				}
			}
		})
	}
}

// get returns the body of GET u.
func get(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Issue 11, attacks: an expired client certificate is refused locally,
// naming its file and expiry, and by oauth2test when sent anyway; a
// certificate the client did not register is invalid_client; a client
// transport that cannot present a certificate is a clear error.
func TestMTLSRefusals(t *testing.T) {
	t.Parallel()
	ca := certtest.New(t, nil, certtest.Options{CA: true})
	good := certtest.New(t, nil, certtest.Options{CommonName: "good"})
	expired := certtest.New(t, nil, certtest.Options{Expired: true})
	srv := mtlsServer(t, ca, oauth2test.Client{ID: "app", AuthMethod: oauth2test.AuthMethodSelfSignedTLSClient, TLSCertificates: []*x509.Certificate{good.Leaf, expired.Leaf}})

	c, k := expired.WriteFiles(t, t.TempDir(), "old")
	_, err := clientauth.LoadTLSClientAuth(c, k, true)
	var ce *clientauth.CertificateError
	if !errors.As(err, &ce) || !errors.Is(err, clientauth.ErrCertificateExpired) || !strings.Contains(err.Error(), c) || !strings.Contains(err.Error(), "expired at") {
		t.Errorf("expired certificate file: %v", err)
	}

	post := func(cert *certtest.Cert) string {
		hc := srv.MTLSClient()
		if cert != nil {
			hc.Transport.(*http.Transport).TLSClientConfig.Certificates = append(hc.Transport.(*http.Transport).TLSClientConfig.Certificates, cert.TLS)
		}
		resp, err := hc.PostForm(srv.MTLSURL()+oauth2test.PathToken, url.Values{"grant_type": {"client_credentials"}, "client_id": {"app"}})
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	for name, tc := range map[string]struct {
		cert *certtest.Cert
		want string
	}{
		"expired":      {expired, "invalid_client"},
		"unregistered": {certtest.New(t, nil, certtest.Options{}), "invalid_client"},
		"none":         {nil, "invalid_client"},
		"good":         {good, "access_token"},
	} {
		if got := post(tc.cert); !strings.Contains(got, tc.want) {
			t.Errorf("%s certificate: token endpoint said %s, want %s", name, got, tc.want)
		}
	}

	auth, err := clientauth.NewSelfSignedTLSClientAuth(good.TLS)
	if err != nil {
		t.Fatal(err)
	}
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "app", TokenURI: srv.MTLSURL() + oauth2test.PathToken, ClientAuth: auth,
		HTTPClient: &http.Client{Transport: roundTripper(func(*http.Request) (*http.Response, error) { return nil, errors.New("unreachable") })},
	}, &oauth2client.Token{RefreshToken: "r"})
	if _, err := creds.Refresh(t.Context()); err == nil || !strings.Contains(err.Error(), "not an *http.Transport") {
		t.Errorf("refresh through a transport that cannot present the certificate: %v", err)
	}
}

// roundTripper is a function serving as an http.RoundTripper.
type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Issue 11, mutual TLS item 1: the device authorization and PAR requests
// of a flow with tls_client_auth go to their mtls_endpoint_aliases,
// presenting the certificate, and the device grant's token is bound.
func TestMTLSDeviceAndPAR(t *testing.T) {
	t.Parallel()
	srv, auth := selfSignedServer(t)
	endpoint, err := oauth2client.Discover(t.Context(), srv.Issuer(), nil)
	if err != nil {
		t.Fatal(err)
	}
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID: "app", Endpoint: *endpoint, ClientAuth: auth, HTTPClient: srv.MTLSClient(), PAR: true,
		RedirectURL: "http://127.0.0.1:8080/cb", Scopes: []string{"openid"},
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }, // poll at once
	})
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := flow.AuthCodeURL(t.Context())
	if err != nil {
		t.Fatalf("PAR through the alias: %v", err)
	}
	if !strings.Contains(authURL, "request_uri=") {
		t.Errorf("authorization URL without request_uri: %s", authURL)
	}
	da, err := flow.DeviceAuth(t.Context()) // approved at once (AutoApprove)
	if err != nil {
		t.Fatalf("device authorization through the alias: %v", err)
	}
	creds, err := flow.PollDevice(t.Context(), da)
	if err != nil {
		t.Fatalf("device grant: %v", err)
	}
	if got := status(t, creds.Client(srv.MTLSClient()).Transport, srv.MTLSURL()+oauth2test.PathCalendarList); got != http.StatusOK {
		t.Errorf("API call with the device grant's token: %d", got)
	}
	bare := &oauth2client.Transport{Source: oauth2client.StaticTokenSource(creds.CurrentToken()), Base: srv.MTLSClient().Transport}
	if got := status(t, bare, srv.MTLSURL()+oauth2test.PathCalendarList); got != http.StatusUnauthorized {
		t.Errorf("the device grant's token without the certificate: %d, want 401", got)
	}
}

// Issue 11, mutual TLS item 2, for a public client (RFC 8705 §3, §4): it
// authenticates with "none" but presents a certificate, so its access
// and refresh tokens are bound to it; a refresh from another certificate
// is refused, and the stored reference restores the public method.
func TestMTLSPublicClient(t *testing.T) {
	t.Parallel()
	self := certtest.New(t, nil, certtest.Options{})
	srv := mtlsServer(t, self, oauth2test.Client{ID: "native"})
	auth, err := clientauth.NewPublicTLSClient(self.TLS)
	if err != nil {
		t.Fatal(err)
	}
	creds, _ := mtlsLogin(t, srv, "native", auth)
	api := srv.MTLSURL() + oauth2test.PathCalendarList
	if got := status(t, creds.Client(srv.MTLSClient()).Transport, api); got != http.StatusOK {
		t.Errorf("API call presenting the certificate: %d", got)
	}
	bare := &oauth2client.Transport{Source: oauth2client.StaticTokenSource(creds.CurrentToken()), Base: srv.MTLSClient().Transport}
	if got := status(t, bare, api); got != http.StatusUnauthorized {
		t.Errorf("the token without the certificate: %d, want 401", got)
	}
	if _, err := creds.Refresh(t.Context()); err != nil {
		t.Fatalf("refresh with the certificate: %v", err)
	}
	st := creds.State()
	restored, err := clientauth.RestoreTLSClientAuth(st)
	if err != nil || restored.Method() != "none" {
		t.Fatalf("restored %v, %v; want the none method", restored, err)
	}
	thief, err := clientauth.NewPublicTLSClient(certtest.New(t, nil, certtest.Options{}).TLS)
	if err != nil {
		t.Fatal(err)
	}
	stolen := st.Credentials(oauth2client.CredentialsConfig{ClientAuth: thief, HTTPClient: srv.MTLSClient()})
	var oe *oauth2client.Error
	if _, err := stolen.Refresh(t.Context()); !errors.As(err, &oe) || oe.Code != "invalid_grant" {
		t.Errorf("refresh from another certificate: %v, want invalid_grant", err)
	}
}

// selfSignedServer starts oauth2test with its mutual-TLS listener and the
// self_signed_tls_client_auth client "app", and returns its
// authentication.
func selfSignedServer(tb testing.TB) (*oauth2test.Server, *clientauth.TLSClientAuth) {
	tb.Helper()
	self := certtest.New(tb, nil, certtest.Options{})
	srv := mtlsServer(tb, self, oauth2test.Client{ID: "app", AuthMethod: oauth2test.AuthMethodSelfSignedTLSClient,
		TLSCertificates: []*x509.Certificate{self.Leaf}})
	auth, err := clientauth.NewSelfSignedTLSClientAuth(self.TLS)
	if err != nil {
		tb.Fatal(err)
	}
	return srv, auth
}
