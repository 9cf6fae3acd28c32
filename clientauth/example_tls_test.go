package clientauth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"log"
	"math/big"
	"os"
	"path/filepath"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/clientcredentials"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// A client authenticating with its self-signed TLS certificate (RFC 8705
// §2.2): the token request goes to the server's mTLS alias of the token
// endpoint and presents the certificate, and the server binds the access
// token to it.
func ExampleLoadTLSClientAuth() {
	dir, err := os.MkdirTemp("", "mtls")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	certFile, keyFile := writeSelfSigned(dir) // client.crt and client.key

	auth, err := clientauth.LoadTLSClientAuth(certFile, keyFile, true)
	if err != nil {
		log.Fatal(err)
	}
	srv := oauth2test.NewServer(&oauth2test.Options{MTLS: true}) // the authorization server
	defer srv.Close()
	if err := srv.RegisterClient(oauth2test.Client{ID: "svc", AuthMethod: oauth2test.AuthMethodSelfSignedTLSClient,
		TLSCertificates: []*x509.Certificate{auth.TLSCertificate().Leaf}}); err != nil {
		log.Fatal(err)
	}

	ctx := context.Background()
	ep, err := oauth2client.Discover(ctx, srv.URL, nil)
	if err != nil {
		log.Fatal(err)
	}
	cfg := &clientcredentials.Config{
		TokenURL: ep.MTLS().TokenURL, ClientID: "svc", ClientAuth: auth,
		HTTPClient: srv.MTLSClient(), // trusts the test server's certificate
	}
	tok, err := cfg.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(auth.Method(), ep.CertificateBoundTokens, tok.Type())
	// Output: self_signed_tls_client_auth true Bearer
}

// writeSelfSigned writes a self-signed client certificate and its key to
// dir, as openssl req -x509 would.
func writeSelfSigned(dir string) (certFile, keyFile string) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		log.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "svc"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		log.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		log.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "client.crt"), filepath.Join(dir, "client.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		log.Fatal(err)
	}
	return certFile, keyFile
}
