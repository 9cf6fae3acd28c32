// Package benchmarks measures this module against other libraries in the
// same run. It is a module of its own so that their dependencies stay out
// of the main module.
package benchmarks

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"testing"

	"cloud.google.com/go/auth/credentials"

	"github.com/oauth2client/oauth2client/serviceaccount"
)

// keyFile returns a JSON key file with a fresh 2048-bit key.
func keyFile(b *testing.B) []byte {
	b.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		b.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		b.Fatal(err)
	}
	data, err := json.Marshal(map[string]string{
		"type": "service_account", "project_id": "bench", "private_key_id": "kid-1",
		"private_key":  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email": "bench@bench.iam.gserviceaccount.com", "client_id": "1",
		"token_uri": "https://oauth2.googleapis.com/token",
	})
	if err != nil {
		b.Fatal(err)
	}
	return data
}

const scope = "https://www.googleapis.com/auth/cloud-platform"

// BenchmarkSelfSignedJWT: a self-signed JWT access token with a warm
// cache, ours and cloud.google.com/go/auth's, in the same run.
func BenchmarkSelfSignedJWT(b *testing.B) {
	data := keyFile(b)
	ctx := context.Background()
	b.Run("oauth2client", func(b *testing.B) {
		key, err := serviceaccount.ParseJSONKey(data)
		if err != nil {
			b.Fatal(err)
		}
		src, err := serviceaccount.NewJWTAccessSource(key, &serviceaccount.Config{Scopes: []string{scope}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := src.Token(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := src.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cloud.google.com/go/auth", func(b *testing.B) {
		creds, err := credentials.DetectDefault(&credentials.DetectOptions{
			CredentialsJSON: data, Scopes: []string{scope}, UseSelfSignedJWT: true,
		})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := creds.Token(ctx); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := creds.Token(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
}
