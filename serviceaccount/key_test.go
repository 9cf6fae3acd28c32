package serviceaccount

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseJSONKey(t *testing.T) {
	t.Parallel()
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(testRSAKey())}))
	for name, pemKey := range map[string]string{"pkcs8": pkcs8PEM(t, testRSAKey()), "pkcs1": pkcs1} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := keyFields(t)
			f["private_key"] = pemKey
			f["universe_domain"] = "example.org"
			k, err := ParseJSONKey(keyJSON(t, f))
			if err != nil {
				t.Fatal(err)
			}
			if k.Email() != "robot@proj-1.iam.gserviceaccount.com" || k.KeyID() != "kid-1" || k.ProjectID() != "proj-1" ||
				k.ClientID() != "1234567890" || k.TokenURI() != "https://oauth2.example.com/token" || k.UniverseDomain() != "example.org" {
				t.Errorf("fields: %q %q %q %q %q %q", k.Email(), k.KeyID(), k.ProjectID(), k.ClientID(), k.TokenURI(), k.UniverseDomain())
			}
			if !testRSAKey().PublicKey.Equal(k.Public()) {
				t.Error("Public is not the key's public half")
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		t.Parallel()
		f := keyFields(t)
		delete(f, "token_uri")
		k, err := ParseJSONKey(keyJSON(t, f))
		if err != nil {
			t.Fatal(err)
		}
		if k.TokenURI() != GoogleTokenURI || k.UniverseDomain() != "googleapis.com" {
			t.Errorf("defaults: %q %q", k.TokenURI(), k.UniverseDomain())
		}
	})
}

func TestParseJSONKeyErrors(t *testing.T) {
	t.Parallel()
	short, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	encPKCS1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
		Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00"}, Bytes: []byte{1}}))
	tests := []struct {
		name   string
		change func(map[string]any)
		want   error
		field  string
	}{
		{"missing type", func(f map[string]any) { delete(f, "type") }, ErrMissingField, `"type"`},
		{"wrong type", func(f map[string]any) { f["type"] = "authorized_user" }, ErrWrongType, `"authorized_user"`},
		{"missing email", func(f map[string]any) { delete(f, "client_email") }, ErrMissingField, `"client_email"`},
		{"missing key", func(f map[string]any) { delete(f, "private_key") }, ErrMissingField, `"private_key"`},
		{"not PEM", func(f map[string]any) { f["private_key"] = "MIIEvQIBADANBg" }, ErrInvalidKey, `"private_key"`},
		{"garbage in PEM", func(f map[string]any) {
			f["private_key"] = string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte("nope")}))
		}, ErrInvalidKey, `"private_key"`},
		{"certificate", func(f map[string]any) {
			f["private_key"] = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("x")}))
		}, ErrInvalidKey, `"CERTIFICATE"`},
		{"short RSA", func(f map[string]any) { f["private_key"] = pkcs8PEM(t, short) }, ErrKeyTooShort, "1024 bits"},
		{"EC key", func(f map[string]any) { f["private_key"] = pkcs8PEM(t, ec) }, ErrInvalidKey, "RSA"},
		{"encrypted PKCS#8", func(f map[string]any) {
			f["private_key"] = string(pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1}}))
		}, ErrEncryptedKey, `"private_key"`},
		{"encrypted PKCS#1", func(f map[string]any) { f["private_key"] = encPKCS1 }, ErrEncryptedKey, `"private_key"`},
		{"number email", func(f map[string]any) { f["client_email"] = 7 }, ErrInvalidKey, `"client_email"`},
	}
	dir := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := keyFields(t)
			tt.change(f)
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".json")
			if err := os.WriteFile(path, keyJSON(t, f), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := ReadJSONKeyFile(path)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			for _, want := range []string{tt.field, path} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not name %s", err, want)
				}
			}
			if strings.Contains(err.Error(), "MII") {
				t.Errorf("error quotes the key: %q", err)
			}
		})
	}
}

func TestReadJSONKeyFileBounds(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, MaxKeyFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadJSONKeyFile(big); err == nil || !strings.Contains(err.Error(), "exceeds") {
		t.Errorf("oversized file: %v", err)
	}
	if _, err := ReadJSONKeyFile(filepath.Join(dir, "absent.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("absent file: %v", err)
	}
	if _, err := ParseJSONKey([]byte("[1]")); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("not an object: %v", err)
	}
}

func FuzzParseJSONKey(f *testing.F) {
	f.Add(keyJSON(f, keyFields(f)))
	f.Add([]byte(`{"type":"service_account","client_email":"a","private_key":"-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n"}`))
	f.Add([]byte(`{"type":1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseJSONKey(data)
		if (k == nil) == (err == nil) {
			t.Fatalf("key %v and error %v", k, err)
		}
		if k != nil && (k.Email() == "" || k.TokenURI() == "") {
			t.Fatal("a key without email or token URI")
		}
	})
}
