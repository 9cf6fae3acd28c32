package serviceaccount

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"sync"
	"testing"
)

// testRSAKey is one 2048-bit key shared by the tests (generation is slow).
var testRSAKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// pkcs8PEM encodes key as PKCS#8 PEM.
func pkcs8PEM(t testing.TB, key any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// keyFields returns the fields of a valid JSON key file.
func keyFields(t testing.TB) map[string]any {
	return map[string]any{
		"type":           "service_account",
		"project_id":     "proj-1",
		"private_key_id": "kid-1",
		"private_key":    pkcs8PEM(t, testRSAKey()),
		"client_email":   "robot@proj-1.iam.gserviceaccount.com",
		"client_id":      "1234567890",
		"token_uri":      "https://oauth2.example.com/token",
	}
}

// keyJSON encodes fields as a key file.
func keyJSON(t testing.TB, fields map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// testKey parses a valid key whose token endpoint is tokenURI.
func testKey(t testing.TB, tokenURI string) *Key {
	t.Helper()
	f := keyFields(t)
	f["token_uri"] = tokenURI
	k, err := ParseJSONKey(keyJSON(t, f))
	if err != nil {
		t.Fatal(err)
	}
	return k
}
