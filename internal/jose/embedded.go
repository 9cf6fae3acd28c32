package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/cryptosigner"
)

// SignEmbedded returns the compact JWS of json.Marshal(claims) signed with
// key, its header carrying "typ" and the public key as "jwk" (as DPoP
// proofs do, RFC 9449 §4.2). The algorithm follows the key as for [Sign].
func SignEmbedded(key crypto.Signer, typ string, claims any) (string, error) {
	if key == nil {
		return "", fmt.Errorf("%w: nil key", ErrUnsupportedKey)
	}
	alg, err := signingAlg(key.Public())
	if err != nil {
		return "", err
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jose: encoding claims: %w", err)
	}
	var k any
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey:
		k = key
	default:
		k = cryptosigner.Opaque(key)
	}
	opts := (&gojose.SignerOptions{EmbedJWK: true}).WithType(gojose.ContentType(typ))
	signer, err := gojose.NewSigner(gojose.SigningKey{Algorithm: gojose.SignatureAlgorithm(alg), Key: k}, opts)
	if err != nil {
		return "", fmt.Errorf("jose: signer: %w", err)
	}
	obj, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("jose: signing: %w", err)
	}
	return obj.CompactSerialize()
}

// VerifyEmbedded parses compact with allowed algorithms and verifies it with
// the public key its header's "jwk" carries. It returns the payload, the
// header and that key. A "jwk" holding private material is refused.
func VerifyEmbedded(compact string, allowed []string) ([]byte, Header, crypto.PublicKey, error) {
	j, err := Parse(compact, allowed)
	if err != nil {
		return nil, Header{}, nil, err
	}
	jwk := j.obj.Signatures[0].Protected.JSONWebKey
	if jwk == nil || !jwk.Valid() {
		return nil, j.Header, nil, fmt.Errorf("%w: no jwk in header", ErrMalformed)
	}
	if !jwk.IsPublic() {
		return nil, j.Header, nil, fmt.Errorf("%w: private key in jwk header", ErrMalformed)
	}
	set, err := NewKeySet(Key{KID: j.Header.KID, Public: jwk.Key})
	if err != nil {
		return nil, j.Header, nil, err
	}
	payload, err := j.Verify(set)
	if err != nil {
		return nil, j.Header, nil, err
	}
	return payload, j.Header, jwk.Key, nil
}
