package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"
)

// Key is one public verification key of a key set.
type Key struct {
	// KID is the key's "kid"; it may be empty.
	KID string
	// Alg is the key's "alg"; empty means any algorithm fitting the key.
	Alg string
	// Public is an *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
	Public crypto.PublicKey
}

// KeySet is an immutable set of verification keys, safe for concurrent use.
type KeySet struct {
	keys  []Key
	byKID map[string][]int // kid → indexes into keys
}

// NewKeySet returns a set of keys, dropping those of unsupported types or
// sizes; it fails with ErrNoUsableKey when none is left.
func NewKeySet(keys ...Key) (*KeySet, error) {
	s := &KeySet{byKID: make(map[string][]int, len(keys))}
	for _, k := range keys {
		if !usable(k) {
			continue
		}
		s.byKID[k.KID] = append(s.byKID[k.KID], len(s.keys))
		s.keys = append(s.keys, k)
	}
	if len(s.keys) == 0 {
		return nil, ErrNoUsableKey
	}
	return s, nil
}

// usable reports whether k is a public key this package verifies with.
func usable(k Key) bool {
	switch p := k.Public.(type) {
	case *rsa.PublicKey:
		return p.N.BitLen() >= MinRSABits && (k.Alg == "" || fits(k.Alg, p))
	case *ecdsa.PublicKey:
		// Only the curves of ES256, ES384 and ES512: a key on another
		// curve could verify nothing, and would turn up as an unknown kid.
		switch p.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return k.Alg == "" || fits(k.Alg, p)
		}
		return false
	case ed25519.PublicKey:
		return k.Alg == "" || fits(k.Alg, p)
	}
	return false
}

// Len returns the number of keys in the set.
func (s *KeySet) Len() int { return len(s.keys) }

// Has reports whether the set holds a key with this kid.
func (s *KeySet) Has(kid string) bool { _, ok := s.byKID[kid]; return ok }

// Keys returns a copy of the set's keys.
func (s *KeySet) Keys() []Key { return append([]Key(nil), s.keys...) }

// ParseKeySet parses a JWK set (RFC 7517 §5). Keys that are not signature
// keys (a "use" other than "sig"), of an unsupported type or size, private
// or symmetric are skipped; a set with no usable key is ErrNoUsableKey.
func ParseKeySet(data []byte) (*KeySet, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: key set: %v", ErrMalformed, err)
	}
	keys := make([]Key, 0, len(raw.Keys))
	for _, r := range raw.Keys {
		var jwk gojose.JSONWebKey
		if err := jwk.UnmarshalJSON(r); err != nil {
			continue // an unknown key type does not spoil the others
		}
		if (jwk.Use != "" && jwk.Use != "sig") || !jwk.IsPublic() {
			continue
		}
		keys = append(keys, Key{KID: jwk.KeyID, Alg: jwk.Algorithm, Public: jwk.Key})
	}
	s, err := NewKeySet(keys...)
	if err != nil {
		return nil, fmt.Errorf("%w (%d keys read)", err, len(raw.Keys))
	}
	return s, nil
}

// MarshalKeySet returns the JWK set (RFC 7517 §5) of keys, each marked
// "use": "sig", with its "alg" (derived from the key when empty).
func MarshalKeySet(keys ...Key) ([]byte, error) {
	set := gojose.JSONWebKeySet{Keys: make([]gojose.JSONWebKey, 0, len(keys))}
	for _, k := range keys {
		alg := k.Alg
		if alg == "" {
			a, err := signingAlg(k.Public)
			if err != nil {
				return nil, err
			}
			alg = a
		}
		set.Keys = append(set.Keys, gojose.JSONWebKey{Key: k.Public, KeyID: k.KID, Algorithm: alg, Use: "sig"})
	}
	return json.Marshal(set)
}
