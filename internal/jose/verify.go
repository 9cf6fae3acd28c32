package jose

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	gojose "github.com/go-jose/go-jose/v4"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// MaxCompactSize bounds the length of a compact JWS this package parses.
const MaxCompactSize = 64 << 10

// Header holds the protected header fields a verifier needs.
type Header struct {
	Alg string // "alg"
	KID string // "kid", may be empty
	Typ string // "typ", may be empty
}

// JWS is a parsed, not yet verified, compact JWS.
type JWS struct {
	// Header is the protected header. Nothing in it is trustworthy before
	// Verify succeeds.
	Header Header
	obj    *gojose.JSONWebSignature
}

// Parse parses a compact JWS whose "alg" is in allowed. Names in allowed
// that are "none", symmetric or unknown are ignored. The signature is not
// checked: call Verify.
func Parse(compact string, allowed []string) (*JWS, error) {
	if len(compact) > MaxCompactSize {
		return nil, fmt.Errorf("%w: JWS of %d bytes, limit %d", ErrTooLarge, len(compact), MaxCompactSize)
	}
	if strings.Count(compact, ".") != 2 {
		return nil, fmt.Errorf("%w: not a compact JWS", ErrMalformed)
	}
	algs := allowlist(allowed)
	if len(algs) == 0 {
		return nil, fmt.Errorf("%w: empty allowlist", ErrAlgNotAllowed)
	}
	obj, err := gojose.ParseSignedCompact(compact, algs)
	if err != nil {
		if alg, ok := headerAlg(compact); ok && !contains(algs, alg) {
			return nil, fmt.Errorf("%w: %q", ErrAlgNotAllowed, urlpolicy.Clip(alg, 64))
		}
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if len(obj.Signatures) != 1 {
		return nil, fmt.Errorf("%w: %d signatures", ErrMalformed, len(obj.Signatures))
	}
	h := obj.Signatures[0].Protected
	j := &JWS{obj: obj, Header: Header{Alg: h.Algorithm, KID: h.KeyID}}
	if t, ok := h.ExtraHeaders[gojose.HeaderType].(string); ok {
		j.Header.Typ = t
	}
	return j, nil
}

// Verify checks the signature with the key of set named by the header's
// "kid" (any key fitting the algorithm when the header has no "kid") and
// returns the payload.
func (j *JWS) Verify(set *KeySet) ([]byte, error) {
	if set == nil {
		return nil, ErrNoUsableKey
	}
	var idx []int
	if j.Header.KID != "" {
		var ok bool
		if idx, ok = set.byKID[j.Header.KID]; !ok {
			return nil, fmt.Errorf("%w: %q", ErrUnknownKID, urlpolicy.Clip(j.Header.KID, 64))
		}
	} else {
		idx = make([]int, len(set.keys))
		for i := range idx {
			idx[i] = i
		}
	}
	tried := false
	for _, i := range idx {
		k := set.keys[i]
		if (k.Alg != "" && k.Alg != j.Header.Alg) || !fits(j.Header.Alg, k.Public) {
			continue
		}
		tried = true
		if payload, err := j.obj.Verify(k.Public); err == nil {
			return payload, nil
		}
	}
	if !tried {
		return nil, fmt.Errorf("%w: no key for %s with kid %q", ErrUnknownKID, j.Header.Alg, urlpolicy.Clip(j.Header.KID, 64))
	}
	return nil, ErrBadSignature
}

// Verify parses compact with allowed algorithms, verifies it against set and
// returns its payload and header.
func Verify(compact string, allowed []string, set *KeySet) ([]byte, Header, error) {
	j, err := Parse(compact, allowed)
	if err != nil {
		return nil, Header{}, err
	}
	payload, err := j.Verify(set)
	if err != nil {
		return nil, j.Header, err
	}
	return payload, j.Header, nil
}

// headerAlg decodes the "alg" of a compact JWS's header, on the error path
// only, to tell a refused algorithm from a malformed token.
func headerAlg(compact string) (string, bool) {
	h, _, _ := strings.Cut(compact, ".")
	b, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return "", false
	}
	var v struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(b, &v) != nil {
		return "", false
	}
	return v.Alg, true
}

func contains(algs []gojose.SignatureAlgorithm, alg string) bool {
	for _, a := range algs {
		if string(a) == alg {
			return true
		}
	}
	return false
}
