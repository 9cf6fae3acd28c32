package google

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
)

// SignBlob signs data with a Google-managed key of the target principal
// through the IAM Credentials API's signBlob (RSASSA-PKCS1-v1_5 over the
// SHA-256 digest of data), authorized by the source credentials and the
// delegates. It returns the id of the key that signed, whose public half
// verifies the signature (rsa.VerifyPKCS1v15 with crypto.SHA256). Nothing
// is cached: each call is one request.
func (i *Impersonated) SignBlob(ctx context.Context, data []byte) (keyID string, signature []byte, err error) {
	const method = "signBlob"
	body, err := json.Marshal(map[string]any{
		"delegates": i.delegates(),
		"payload":   data, // base64, as the API wants bytes
	})
	if err != nil {
		return "", nil, &IAMError{Method: method, Err: err}
	}
	var r struct {
		KeyID      string `json:"keyId"`
		SignedBlob []byte `json:"signedBlob"`
	}
	if err := i.call(ctx, method, body, &r); err != nil {
		return "", nil, err
	}
	if len(r.SignedBlob) == 0 {
		return "", nil, &IAMError{Method: method, StatusCode: http.StatusOK, Err: errors.New("the answer has no signedBlob")}
	}
	return r.KeyID, r.SignedBlob, nil
}
