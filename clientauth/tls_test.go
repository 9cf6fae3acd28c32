package clientauth_test

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/certtest"
)

// TestLoadTLSClientAuthErrors: every refusal names the file at fault and
// never quotes the key.
func TestLoadTLSClientAuthErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := certtest.New(t, nil, certtest.Options{})
	other := certtest.New(t, nil, certtest.Options{})
	certFile, keyFile := good.WriteFiles(t, dir, "good")
	_, otherKey := other.WriteFiles(t, dir, "other")
	old := certtest.New(t, nil, certtest.Options{Expired: true})
	oldCert, oldKey := old.WriteFiles(t, dir, "old")
	notPEM := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(notPEM, []byte("not pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, cert, key string
		want            []string
		expired         bool
	}{
		{name: "missing certificate", cert: filepath.Join(dir, "nope.crt"), key: keyFile, want: []string{"nope.crt", "cannot read"}},
		{name: "certificate not PEM", cert: notPEM, key: keyFile, want: []string{"junk.pem", "no PEM CERTIFICATE"}},
		{name: "key not PEM", cert: certFile, key: notPEM, want: []string{"junk.pem", "no PEM private key"}},
		{name: "another certificate's key", cert: certFile, key: otherKey, want: []string{"good.crt", "other.key", "not a matching"}},
		{name: "expired", cert: oldCert, key: oldKey, want: []string{"old.crt", "expired at " + old.Leaf.NotAfter.UTC().Format("2006-01-02T15:04:05Z")}, expired: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := clientauth.LoadTLSClientAuth(tt.cert, tt.key, false)
			var ce *clientauth.CertificateError
			if !errors.As(err, &ce) || errors.Is(err, clientauth.ErrCertificateExpired) != tt.expired {
				t.Fatalf("err = %v", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error quotes the key: %v", err)
			}
		})
	}
	if _, err := clientauth.NewTLSClientAuth(tls.Certificate{}); err == nil {
		t.Error("an empty certificate was accepted")
	}
}

// TestTLSStateExtension: files are stored as paths, an in-memory
// certificate as PEM; both restore; a corrupt field is an error naming it.
func TestTLSStateExtension(t *testing.T) {
	t.Parallel()
	c := certtest.New(t, nil, certtest.Options{})
	certFile, keyFile := c.WriteFiles(t, t.TempDir(), "c")
	fromFiles, err := clientauth.LoadTLSClientAuth(certFile, keyFile, true)
	if err != nil {
		t.Fatal(err)
	}
	inMemory, err := clientauth.NewTLSClientAuth(c.TLS)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []*clientauth.TLSClientAuth{fromFiles, inMemory} {
		name, raw := a.StateExtension()
		if name != clientauth.TLSExtension {
			t.Fatalf("extension %q", name)
		}
		if a == fromFiles && (strings.Contains(string(raw), "PRIVATE KEY") || !strings.Contains(string(raw), keyFile)) {
			t.Errorf("file reference holds the key or lacks the path: %s", raw)
		}
		st := &oauth2client.CredentialsState{Extensions: map[string]json.RawMessage{name: raw}}
		got, err := clientauth.RestoreTLSClientAuth(st)
		if err != nil || got.Thumbprint() != a.Thumbprint() || got.Method() != a.Method() {
			t.Errorf("restore %s: %v, %v", a, got, err)
		}
	}
	if got, err := clientauth.RestoreTLSClientAuth(&oauth2client.CredentialsState{}); got != nil || err != nil {
		t.Errorf("no field: %v, %v", got, err)
	}
	for _, bad := range []string{`1`, `{"method":"none"}`, `{"method":"tls_client_auth"}`} {
		st := &oauth2client.CredentialsState{Extensions: map[string]json.RawMessage{clientauth.TLSExtension: json.RawMessage(bad)}}
		if _, err := clientauth.RestoreTLSClientAuth(st); err == nil || !strings.Contains(err.Error(), clientauth.TLSExtension) {
			t.Errorf("field %s: err = %v, want one naming the field", bad, err)
		}
	}
	if !clientauth.SelfSigned(c.Leaf) {
		t.Error("a self-signed certificate is not SelfSigned")
	}
	ca := certtest.New(t, nil, certtest.Options{CA: true})
	if clientauth.SelfSigned(certtest.New(t, ca, certtest.Options{}).Leaf) {
		t.Error("a CA-issued certificate is SelfSigned")
	}
}

// FuzzRestoreTLSClientAuth feeds stored extension fields to
// RestoreTLSClientAuth: it must not panic, and errors never quote key
// material.
func FuzzRestoreTLSClientAuth(f *testing.F) {
	f.Add([]byte(`{"method":"tls_client_auth","cert_pem":"-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n","key_pem":"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"}`))
	f.Add([]byte(`{"method":"self_signed_tls_client_auth","cert_file":"/nonexistent/c","key_file":"/nonexistent/k"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st := &oauth2client.CredentialsState{Extensions: map[string]json.RawMessage{clientauth.TLSExtension: data}}
		_, err := clientauth.RestoreTLSClientAuth(st)
		if err != nil && strings.Contains(err.Error(), "PRIVATE KEY") {
			t.Fatalf("error quotes the key: %v", err)
		}
	})
}

// TestRestoreTLSClientAuthReplacedCertificate: files that now hold another
// certificate than the one stored credentials are bound to are refused,
// for every method (a public client's refresh token is bound to the old
// certificate, and every method's access token is), with a
// CertificateError naming the file; an entry stored without a thumbprint
// restores whatever the files hold.
func TestRestoreTLSClientAuthReplacedCertificate(t *testing.T) {
	t.Parallel()
	first := certtest.New(t, nil, certtest.Options{})
	second := certtest.New(t, nil, certtest.Options{})
	for _, method := range []string{clientauth.MethodTLSClient, clientauth.MethodSelfSignedTLSClient, "none"} {
		t.Run(method, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			certFile, keyFile := first.WriteFiles(t, dir, "client")
			a, err := clientauth.LoadTLSClientAuth(certFile, keyFile, false)
			if err != nil {
				t.Fatal(err)
			}
			_, raw := a.StateExtension()
			st := func(drop string) *oauth2client.CredentialsState {
				var ref map[string]any
				if err := json.Unmarshal(raw, &ref); err != nil {
					t.Fatal(err)
				}
				ref["method"] = method
				delete(ref, drop)
				b, _ := json.Marshal(ref)
				return &oauth2client.CredentialsState{Extensions: map[string]json.RawMessage{clientauth.TLSExtension: b}}
			}
			if _, err := clientauth.RestoreTLSClientAuth(st("")); err != nil {
				t.Fatalf("restore of the stored certificate: %v", err)
			}
			second.WriteFiles(t, dir, "client") // the same file names
			_, err = clientauth.RestoreTLSClientAuth(st(""))
			var ce *clientauth.CertificateError
			if !errors.As(err, &ce) || !errors.Is(err, clientauth.ErrCertificateMismatch) || ce.Source != certFile ||
				!strings.Contains(err.Error(), "bound to another certificate") {
				t.Fatalf("restore after the files were replaced: %v; want a CertificateError naming %s", err, certFile)
			}
			if strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error quotes the key: %v", err)
			}
			// Stored without a thumbprint: no way to tell, the files are used.
			if _, err := clientauth.RestoreTLSClientAuth(st("x5t#S256")); err != nil {
				t.Errorf("restore of a reference without a thumbprint: %v", err)
			}
		})
	}
}
