package store_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/certtest"
	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/store"
)

// certEntry returns a memory store holding, under "alice", credentials
// (with tok) authenticated by a self-signed client certificate that
// cert.WriteFiles wrote as "client" in dir, and the certificate file.
func certEntry(t *testing.T, cert *certtest.Cert, dir, tokenURI string, tok *oauth2client.Token) (store.Store, string) {
	t.Helper()
	certFile, keyFile := cert.WriteFiles(t, dir, "client")
	auth, err := clientauth.LoadTLSClientAuth(certFile, keyFile, true)
	if err != nil {
		t.Fatal(err)
	}
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{
		ClientID: "app", TokenURI: tokenURI, ClientAuth: auth,
	}, tok)
	s := store.NewMemory()
	if err := s.Save(context.Background(), "alice", creds.State()); err != nil {
		t.Fatal(err)
	}
	return s, certFile
}

// TestBindRestoresTLSClientCertificate stores credentials bound to a TLS
// client certificate kept in files: Bind presents the same certificate
// again (a restart), and names the entry and the file when it is gone.
func TestBindRestoresTLSClientCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cert := certtest.New(t, nil, certtest.Options{CommonName: "app"})
	s, certFile := certEntry(t, cert, t.TempDir(), "https://127.0.0.1:1/token",
		&oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)})

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
	s, _ := certEntry(t, cert, t.TempDir(), "https://127.0.0.1:1/token",
		&oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)})
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

// TestBindReplacedCertificate: an entry whose certificate files now hold
// another certificate is refused by Bind with a CertificateError naming
// the entry and the file, before any request: the entry is not marked
// invalid (as a refresh with a public client's certificate-bound refresh
// token would have it, with invalid_grant).
func TestBindReplacedCertificate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
	}))
	t.Cleanup(srv.Close)
	s, certFile := certEntry(t, certtest.New(t, nil, certtest.Options{}), dir, srv.URL,
		&oauth2client.Token{AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(-time.Hour)})
	certtest.New(t, nil, certtest.Options{}).WriteFiles(t, dir, "client")

	_, err := store.Bind(ctx, s, "alice", nil)
	var ce *clientauth.CertificateError
	if !errors.As(err, &ce) || !errors.Is(err, clientauth.ErrCertificateMismatch) ||
		!strings.Contains(err.Error(), `"alice"`) || !strings.Contains(err.Error(), certFile) {
		t.Fatalf("Bind with another certificate in the files: %v; want a CertificateError naming the entry and %s", err, certFile)
	}
	if st, err := s.Load(ctx, "alice"); err != nil || st.Invalid || requests.Load() != 0 {
		t.Errorf("entry invalid %v (err %v), %d token requests; want a valid entry and none", st != nil && st.Invalid, err, requests.Load())
	}
}
