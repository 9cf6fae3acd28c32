package oauth2client_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// mtlsAPIClient logs in with a self-signed client certificate and returns
// the server and an HTTP client presenting the certificate with the
// bound token.
func mtlsAPIClient(tb testing.TB) (*oauth2test.Server, *http.Client) {
	srv, auth := selfSignedServer(tb)
	creds, _ := mtlsLogin(tb, srv, "app", auth)
	base := srv.MTLSClient()
	// One connection at most: without it, a request may start dialing
	// before the previous one's connection is back in the idle pool, and
	// the pool keeps both (the count would depend on the machine's load).
	base.Transport.(*http.Transport).MaxConnsPerHost = 1
	return srv, creds.Client(base)
}

// getOK GETs u with hc and fails unless it answers 200.
func getOK(tb testing.TB, hc *http.Client, u string) {
	if got := status(tb, hc.Transport, u); got != http.StatusOK {
		tb.Fatalf("status %d", got)
	}
}

// Issue 11, mutual TLS item 7: 1,000 requests with a certificate-bound
// token on a keep-alive client make one TLS handshake.
func TestMTLSHandshakeReuse(t *testing.T) {
	t.Parallel()
	srv, hc := mtlsAPIClient(t)
	api := srv.MTLSURL() + oauth2test.PathCalendarList
	before := srv.MTLSHandshakes()
	for range 1000 {
		getOK(t, hc, api)
	}
	got := srv.MTLSHandshakes() - before
	t.Logf("1000 mTLS requests: %d TLS handshake(s)", got)
	if got != 1 {
		t.Errorf("1000 requests made %d TLS handshakes, want 1", got)
	}
}

// BenchmarkMTLSRequest is one API request with a certificate-bound token
// through the Transport, on a keep-alive connection presenting the client
// certificate, next to a bearer token over the same HTTPS listener without
// a certificate; it reports the TLS handshakes per request.
func BenchmarkMTLSRequest(b *testing.B) {
	srv, mtls := mtlsAPIClient(b)
	api := srv.MTLSURL() + oauth2test.PathCalendarList
	at, _ := srv.MintToken("app", oauth2test.DefaultUser, []string{"openid"}, time.Hour)
	bearer := oauth2client.NewClient(oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: at}), srv.MTLSClient())
	for _, bb := range []struct {
		name string
		hc   *http.Client
	}{{"bearer-https", bearer}, {"mtls-bound", mtls}} {
		b.Run(bb.name, func(b *testing.B) {
			getOK(b, bb.hc, api)
			before := srv.MTLSHandshakes()
			b.ReportAllocs()
			for b.Loop() {
				getOK(b, bb.hc, api)
			}
			b.ReportMetric(float64(srv.MTLSHandshakes()-before)/float64(b.N), "handshakes/op")
		})
	}
}
