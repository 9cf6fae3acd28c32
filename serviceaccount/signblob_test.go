package serviceaccount

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"testing"
)

func TestSignBlob(t *testing.T) {
	t.Parallel()
	k := testKey(t, "https://oauth2.example.com/token")
	data := []byte("blob to sign")
	sig, err := k.SignBlob(data)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := rsa.VerifyPKCS1v15(k.Public().(*rsa.PublicKey), crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("signature does not verify: %v", err)
	}
}
