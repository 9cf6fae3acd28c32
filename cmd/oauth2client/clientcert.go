package main

import (
	"crypto/tls"
	"flag"
	"fmt"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
)

// clientCertHelp is the part of the credential commands' help about
// --client-cert.
const clientCertHelp = `
--client-cert FILE --client-key FILE authenticate the client with its TLS
client certificate (RFC 8705): self_signed_tls_client_auth when the
certificate is self-signed, else tls_client_auth. Requests go to the
server's mtls_endpoint_aliases, and the access tokens the server binds to
the certificate are presented with it to resource servers (request).
Login stores the files' absolute paths (never the key) with the
credentials, under the extension field "` + clientauth.TLSExtension + `", so
later commands present the certificate again; the flags given to another
command win over the stored paths.`

// certFlags are --client-cert and --client-key.
type certFlags struct {
	clientCert string // --client-cert
	clientKey  string // --client-key
}

// register adds the flags to fs.
func (f *certFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.clientCert, "client-cert", "", "authenticate the client with the TLS client certificate in PEM `FILE` (RFC 8705; with --client-key), and present it with the tokens bound to it")
	fs.StringVar(&f.clientKey, "client-key", "", "the private key (PEM `FILE`) of --client-cert")
}

// check checks the flags against the other client authentication flags.
func (f *certFlags) check(cf *credFlags) error {
	switch {
	case (f.clientCert == "") != (f.clientKey == ""):
		return usagef("--client-cert and --client-key go together")
	case f.clientCert != "" && (cf.secret != "" || cf.secretFile != "" || cf.assertKey != ""):
		return usagef("--client-cert excludes --client-secret, --client-secret-file and --client-assertion-key")
	}
	return nil
}

// certAuth returns the TLS client authentication of the flags, or, without
// them, the one stored credentials st refer to, or nil for neither.
func (f *certFlags) certAuth(st *oauth2client.CredentialsState) (oauth2client.ClientAuth, error) {
	if f.clientCert == "" {
		a, err := clientauth.RestoreTLSClientAuth(st)
		if err != nil {
			return nil, fmt.Errorf("the client certificate stored with the credentials: %w; give --client-cert and --client-key", err)
		}
		if a == nil {
			return nil, nil
		}
		return a, nil
	}
	cert, err := clientauth.LoadX509KeyPair(f.clientCert, f.clientKey)
	if err != nil {
		return nil, err
	}
	a, err := clientauth.LoadTLSClientAuth(f.clientCert, f.clientKey, clientauth.SelfSigned(cert.Leaf))
	if err != nil {
		return nil, fmt.Errorf("--client-cert: %w", err)
	}
	return a, nil
}

// certBinding returns the x5t#S256 of the certificate src's tokens are
// requested with and presented with, or "" for none.
func certBinding(src oauth2client.TokenSource) string {
	cs, ok := src.(interface{ TLSCertificate() *tls.Certificate })
	if !ok {
		return ""
	}
	cert := cs.TLSCertificate()
	if cert == nil || cert.Leaf == nil {
		return ""
	}
	return clientauth.Thumbprint(cert.Leaf)
}
