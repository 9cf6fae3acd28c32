package serviceaccount

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
)

// SignBlob signs data with the account's key: RSASSA-PKCS1-v1_5 over its
// SHA-256 digest, as the IAM Credentials API's signBlob does. Verify with
// rsa.VerifyPKCS1v15 and [Key.Public].
func (k *Key) SignBlob(data []byte) ([]byte, error) {
	sum := sha256.Sum256(data)
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.priv, crypto.SHA256, sum[:])
	if err != nil {
		return nil, fmt.Errorf("serviceaccount: sign blob: %w", err)
	}
	return sig, nil
}
