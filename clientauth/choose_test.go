package clientauth_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/certtest"
)

func TestChoose(t *testing.T) {
	t.Parallel()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	secret := strings.Repeat("s", 32)
	ca := certtest.New(t, nil, certtest.Options{CA: true})
	self := &certtest.New(t, nil, certtest.Options{}).TLS
	issued := &certtest.New(t, ca, certtest.Options{}).TLS
	both := []string{"tls_client_auth", "self_signed_tls_client_auth"}
	tests := []struct {
		name    string
		methods []string
		keys    clientauth.Keys
		want    string // Method(), or "" for an error
	}{
		{"key, methods unknown", nil, clientauth.Keys{Key: key}, "private_key_jwt"},
		{"key, listed", []string{"client_secret_basic", "private_key_jwt"}, clientauth.Keys{Key: key, Secret: secret}, "private_key_jwt"},
		{"key and secret, only secret_jwt listed", []string{"client_secret_jwt"}, clientauth.Keys{Key: key, Secret: secret}, "client_secret_jwt"},
		{"key, only secret_jwt listed, no secret", []string{"client_secret_jwt"}, clientauth.Keys{Key: key}, ""},
		{"key, no JWT method listed", []string{"client_secret_basic", "client_secret_post"}, clientauth.Keys{Key: key, Secret: secret}, ""},
		{"secret, only secret_jwt among secret methods", []string{"none", "client_secret_jwt", "private_key_jwt"}, clientauth.Keys{Secret: secret}, "client_secret_jwt"},
		{"secret, basic and secret_jwt", []string{"client_secret_jwt", "client_secret_basic"}, clientauth.Keys{Secret: secret}, "client_secret_basic"},
		{"secret, post and secret_jwt", []string{"client_secret_jwt", "client_secret_post"}, clientauth.Keys{Secret: secret}, "client_secret_post"},
		{"secret, methods unknown", nil, clientauth.Keys{Secret: secret}, "client_secret_basic"},
		{"secret, explicit post beats secret_jwt", []string{"client_secret_jwt"}, clientauth.Keys{Secret: secret, AuthStyle: oauth2client.AuthStylePost}, "client_secret_post"},
		{"secret too short for secret_jwt", []string{"client_secret_jwt"}, clientauth.Keys{Secret: "short"}, ""},
		{"nothing", []string{"client_secret_jwt", "none"}, clientauth.Keys{}, "none"},
		{"self-signed certificate, both listed", both, clientauth.Keys{Certificate: self}, "self_signed_tls_client_auth"},
		{"issued certificate, both listed", both, clientauth.Keys{Certificate: issued}, "tls_client_auth"},
		{"issued certificate, only self-signed listed", both[1:], clientauth.Keys{Certificate: issued}, "self_signed_tls_client_auth"},
		{"self-signed certificate, only tls_client_auth listed", both[:1], clientauth.Keys{Certificate: self}, "tls_client_auth"},
		{"certificate, methods unknown", nil, clientauth.Keys{Certificate: issued}, "tls_client_auth"},
		{"certificate, no TLS method listed", []string{"client_secret_basic"}, clientauth.Keys{Certificate: self, Secret: secret}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ep := oauth2client.Endpoint{TokenURL: "https://as.example/token", TokenAuthMethods: tt.methods}
			auth, err := clientauth.Choose(ep, tt.keys, nil)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("Choose = %s, want an error", auth.Method())
				}
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q holds the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Choose: %v", err)
			}
			if got := auth.Method(); got != tt.want {
				t.Errorf("Choose = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestChooseNoJWTMethodNamesTheMethods(t *testing.T) {
	t.Parallel()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ep := oauth2client.Endpoint{TokenAuthMethods: []string{"client_secret_basic", "none"}}
	_, err = clientauth.Choose(ep, clientauth.Keys{Key: key}, nil)
	if !errors.Is(err, clientauth.ErrNoJWTMethod) {
		t.Fatalf("err = %v, want ErrNoJWTMethod", err)
	}
	if !strings.Contains(err.Error(), "client_secret_basic, none") {
		t.Errorf("error %q does not name the listed methods", err)
	}
}
