package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
)

// KeySize is the size of a cookie key: 32 bytes, for AES-256-GCM.
const KeySize = 32

// errSealed is the one error of an unreadable cookie: not sealed by any
// of the keys (tampered, or sealed with a retired key), for another
// cookie, or expired. It says no more, on purpose.
var errSealed = errors.New("web: the cookie is invalid, expired or sealed with a retired key")

// sealer seals and opens cookie values with AES-256-GCM: the first key
// seals, every key opens (key rotation). A value is bound to the cookie's
// name (the additional data) and carries its own expiry, so a value
// cannot be moved to another cookie or used after it expires even when a
// browser keeps it.
type sealer struct {
	aeads []cipher.AEAD
}

// newSealer returns a sealer for keys, which must be KeySize bytes each;
// its errors name the field Config.CookieKeys.
func newSealer(keys [][]byte) (*sealer, error) {
	if len(keys) == 0 {
		return nil, errors.New("CookieKeys: none given (make one with web.NewCookieKey)")
	}
	s := &sealer{}
	for i, k := range keys {
		if len(k) != KeySize {
			return nil, fmt.Errorf("CookieKeys[%d]: %d bytes, want %d", i, len(k), KeySize)
		}
		for j := range i {
			if string(keys[j]) == string(k) {
				return nil, fmt.Errorf("CookieKeys[%d]: repeats key [%d]", i, j)
			}
		}
		b, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("CookieKeys[%d]: %w", i, err)
		}
		g, err := cipher.NewGCM(b)
		if err != nil {
			return nil, fmt.Errorf("CookieKeys[%d]: %w", i, err)
		}
		s.aeads = append(s.aeads, g)
	}
	return s, nil
}

// seal returns the cookie value for name holding payload until exp.
func (s *sealer) seal(name string, exp time.Time, payload []byte) string {
	g := s.aeads[0]
	buf := make([]byte, g.NonceSize(), g.NonceSize()+8+len(payload)+g.Overhead())
	rand.Read(buf)
	plain := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(payload)), uint64(exp.Unix()))
	plain = append(plain, payload...)
	return base64.RawURLEncoding.EncodeToString(g.Seal(buf, buf, plain, []byte(name)))
}

// open returns the payload of the cookie value for name, if one of the
// keys sealed it and it has not expired at now.
func (s *sealer) open(name, value string, now time.Time) ([]byte, error) {
	if len(value) > 4096 {
		return nil, errSealed
	}
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil {
		return nil, errSealed
	}
	for _, g := range s.aeads {
		n := g.NonceSize()
		if len(raw) < n+8+g.Overhead() {
			return nil, errSealed
		}
		plain, err := g.Open(nil, raw[:n], raw[n:], []byte(name))
		if err != nil {
			continue
		}
		if exp := int64(binary.BigEndian.Uint64(plain)); now.Unix() >= exp {
			return nil, errSealed
		}
		return plain[8:], nil
	}
	return nil, errSealed
}

// NewCookieKey returns a new random cookie key of KeySize bytes.
func NewCookieKey() []byte {
	k := make([]byte, KeySize)
	rand.Read(k)
	return k
}

// ParseCookieKeys parses cookie keys written as base64 (standard or URL
// alphabet, padded or not), separated by commas: the newest first (it
// seals), then retired keys still accepted. It is the form of a flag or
// environment variable that replicas share.
func ParseCookieKeys(s string) ([][]byte, error) {
	var keys [][]byte
	for i, part := range strings.Split(s, ",") {
		part = strings.TrimRight(strings.TrimSpace(part), "=")
		part = strings.NewReplacer("+", "-", "/", "_").Replace(part)
		k, err := base64.RawURLEncoding.DecodeString(part)
		if err != nil {
			return nil, fmt.Errorf("web: cookie key %d: not base64", i+1)
		}
		if len(k) != KeySize {
			return nil, fmt.Errorf("web: cookie key %d: %d bytes, want %d", i+1, len(k), KeySize)
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// FormatCookieKeys writes keys in the form ParseCookieKeys reads.
func FormatCookieKeys(keys ...[]byte) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = base64.RawURLEncoding.EncodeToString(k)
	}
	return strings.Join(parts, ",")
}
