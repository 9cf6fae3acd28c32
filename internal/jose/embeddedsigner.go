package jose

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"

	gojose "github.com/go-jose/go-jose/v4"
)

// EmbeddedSigner signs compact JWSs whose header carries "typ" and the
// public key as "jwk" (as DPoP proofs do, RFC 9449 §4.2), with the header
// encoded once: a signature costs one hash and one private-key operation.
// It is safe for concurrent use.
type EmbeddedSigner struct {
	key    crypto.Signer
	alg    string
	header string // base64url of the protected header, then "."
}

// NewEmbeddedSigner returns an EmbeddedSigner for key, whose algorithm
// follows the key as for [Sign].
func NewEmbeddedSigner(key crypto.Signer, typ string) (*EmbeddedSigner, error) {
	if key == nil {
		return nil, fmt.Errorf("%w: nil key", ErrUnsupportedKey)
	}
	alg, err := signingAlg(key.Public())
	if err != nil {
		return nil, err
	}
	jwk, err := gojose.JSONWebKey{Key: key.Public()}.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("jose: public JWK: %w", err)
	}
	h, err := json.Marshal(struct {
		Alg string          `json:"alg"`
		JWK json.RawMessage `json:"jwk"`
		Typ string          `json:"typ,omitempty"`
	}{alg, jwk, typ})
	if err != nil {
		return nil, fmt.Errorf("jose: header: %w", err)
	}
	return &EmbeddedSigner{key: key, alg: alg, header: base64.RawURLEncoding.EncodeToString(h) + "."}, nil
}

// Sign returns the compact JWS of json.Marshal(claims).
func (s *EmbeddedSigner) Sign(claims any) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("jose: encoding claims: %w", err)
	}
	enc := base64.RawURLEncoding
	n := len(s.header) + enc.EncodedLen(len(payload))
	buf := make([]byte, n, n+1+enc.EncodedLen(512)) // room for an RSA-4096 signature
	copy(buf, s.header)
	enc.Encode(buf[len(s.header):], payload)
	sig, err := s.signature(buf)
	if err != nil {
		return "", fmt.Errorf("jose: signing: %w", err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// signature signs input as s.alg asks (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
func (s *EmbeddedSigner) signature(input []byte) ([]byte, error) {
	if s.alg == EdDSA {
		return s.key.Sign(rand.Reader, input, crypto.Hash(0))
	}
	digest := sha256.Sum256(input)
	sig, err := s.key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil || s.alg != ES256 {
		return sig, err
	}
	// ECDSA signers answer in ASN.1; JWS wants R and S, 32 bytes each.
	var rs struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(sig, &rs); err != nil || len(rest) != 0 || rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > 256 || rs.S.BitLen() > 256 {
		return nil, errors.New("the ECDSA signer's answer is not an ASN.1 P-256 signature")
	}
	out := make([]byte, 64)
	rs.R.FillBytes(out[:32])
	rs.S.FillBytes(out[32:])
	return out, nil
}
