package serviceaccount

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// p12File encodes key and a self-signed certificate as Google's P12 files
// are: the legacy encryption, with password.
func p12File(t testing.TB, key *rsa.PrivateKey, password string) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "robot"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<32, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	data, err := pkcs12.LegacyRC2.Encode(key, cert, nil, password)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestReadP12File(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	def := write("default.p12", p12File(t, testRSAKey(), DefaultP12Password))
	other := write("other.p12", p12File(t, testRSAKey(), "s3cret"))
	short, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	shortFile := write("short.p12", p12File(t, short, DefaultP12Password))
	junk := write("junk.p12", []byte("not a p12 file"))

	email := "robot@proj.iam.gserviceaccount.com"
	tests := []struct {
		name string
		path string
		opts *P12Options
		want error
	}{
		{"default password", def, &P12Options{Email: email, KeyID: "k1"}, nil},
		{"given password", other, &P12Options{Email: email, Password: "s3cret"}, nil},
		{"wrong password", other, &P12Options{Email: email}, ErrWrongPassword},
		{"no email", def, nil, ErrMissingField},
		{"short key", shortFile, &P12Options{Email: email}, ErrKeyTooShort},
		{"not p12", junk, &P12Options{Email: email}, ErrInvalidKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			k, err := ReadP12File(tt.path, tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.path) {
					t.Errorf("error %q does not name the file", err)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Errorf("error quotes the password: %q", err)
				}
				return
			}
			if k.Email() != email || k.TokenURI() != GoogleTokenURI || !testRSAKey().PublicKey.Equal(k.Public()) {
				t.Errorf("key: %q %q", k.Email(), k.TokenURI())
			}
		})
	}
}
