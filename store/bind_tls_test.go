package store_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/certtest"
	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/store"
)

// TestBindRestoresTLSClientCertificate stores credentials bound to a TLS
// client certificate kept in files: Bind presents the same certificate
// again (a restart), and names the entry and the file when it is gone.
func TestBindRestoresTLSClientCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cert := certtest.New(t, nil, certtest.Options{CommonName: "app"})
	certFile, keyFile := cert.WriteFiles(t, t.TempDir(), "client")
	auth, err := clientauth.LoadTLSClientAuth(certFile, keyFile, true)
	if err != nil {
		t.Fatal(err)
	}
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "app", TokenURI: "https://127.0.0.1:1/token", ClientAuth: auth,
	}, &oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)})
	s := store.NewMemory()
	if err := s.Save(ctx, "alice", creds.State()); err != nil {
		t.Fatal(err)
	}

	bound, err := store.Bind(ctx, s, "alice", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := bound.TLSCertificate()
	if got == nil || got.Leaf == nil || clientauth.Thumbprint(got.Leaf) != clientauth.Thumbprint(cert.Leaf) {
		t.Fatalf("the bound credentials present %v, want the stored certificate", got)
	}

	// A ClientAuth given by the caller wins over the stored reference.
	other := oauth2client.AuthStylePost.ClientAuth("secret")
	mine, err := store.Bind(ctx, s, "alice", &store.BindOptions{ClientAuth: other})
	if err != nil || mine.TLSCertificate() != nil {
		t.Errorf("with BindOptions.ClientAuth: certificate %v, err %v; want none", mine.TLSCertificate(), err)
	}

	if err := os.Remove(certFile); err != nil {
		t.Fatal(err)
	}
	_, err = store.Bind(ctx, s, "alice", nil)
	if err == nil || !strings.Contains(err.Error(), `"alice"`) || !strings.Contains(err.Error(), certFile) {
		t.Errorf("Bind with the certificate file gone: %v; want an error naming the entry and %s", err, certFile)
	}
}

// TestBindSameCertificateSharesTransport: 1,000 binds of an entry bound to
// a certificate in files (a server binding per request) load it 1,000
// times, and all share one certificate-presenting transport, so one
// connection pool, instead of piling up transports and keys.
func TestBindSameCertificateSharesTransport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cert := certtest.New(t, nil, certtest.Options{CommonName: "app"})
	certFile, keyFile := cert.WriteFiles(t, t.TempDir(), "client")
	auth, err := clientauth.LoadTLSClientAuth(certFile, keyFile, true)
	if err != nil {
		t.Fatal(err)
	}
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "app", TokenURI: "https://127.0.0.1:1/token", ClientAuth: auth,
	}, &oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)})
	s := store.NewMemory()
	if err := s.Save(ctx, "alice", creds.State()); err != nil {
		t.Fatal(err)
	}
	base := &http.Transport{}
	var first *http.Transport
	for i := range 1000 {
		b, err := store.Bind(ctx, s, "alice", nil)
		if err != nil {
			t.Fatal(err)
		}
		ct, err := oauthhttp.CertTransport(base, b.TLSCertificate())
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = ct
		} else if ct != first {
			t.Fatalf("bind %d: another transport for the same certificate", i)
		}
	}
}
