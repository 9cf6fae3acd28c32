package dpop

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// The stored key round-trips for every algorithm, and a damaged one is
// ErrStoredKey, never quoting key material.
func TestStoredKey(t *testing.T) {
	t.Parallel()
	for _, alg := range Algorithms {
		key, err := GenerateKey(alg)
		if err != nil {
			t.Fatal(err)
		}
		p, err := NewProver(key, nil)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := p.marshalKey()
		if err != nil {
			t.Fatal(err)
		}
		back, err := loadProver(raw)
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		if back.JKT() != p.JKT() {
			t.Errorf("%s: thumbprint changed", alg)
		}
		var s storedKey
		_ = json.Unmarshal(raw, &s)
		var d struct {
			D string `json:"d"`
		}
		_ = json.Unmarshal(s.JWK, &d)
		for _, bad := range []string{
			strings.Replace(string(raw), p.JKT(), "other", 1),
			strings.Replace(string(raw), `"d":"`, `"d":"A`, 1),
			`{"jkt":"` + p.JKT() + `"}`,
			`[]`,
		} {
			_, err := loadProver(json.RawMessage(bad))
			if !errors.Is(err, ErrStoredKey) {
				t.Errorf("%s: loadProver(damaged) = %v, want ErrStoredKey", alg, err)
			}
			if err != nil && d.D != "" && strings.Contains(err.Error(), d.D[:8]) {
				t.Errorf("%s: the error quotes the key: %v", alg, err)
			}
		}
	}
	if _, err := GenerateKey(jose.HS256); err == nil {
		t.Error("GenerateKey(HS256) succeeded")
	}
}

// FuzzLoadStoredKey: a stored key field read from a store is parsed
// without panicking, and what loads signs proofs.
func FuzzLoadStoredKey(f *testing.F) {
	p, _ := NewProver(nil, nil)
	raw, _ := p.marshalKey()
	f.Add(string(raw))
	f.Add(`{"jkt":"x","jwk":{"kty":"EC"}}`)
	f.Add(`{"jwk":null}`)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := loadProver(json.RawMessage(s))
		if err != nil {
			return
		}
		if _, err := q.Proof("GET", "https://rs.example/", ""); err != nil {
			t.Fatal(err)
		}
	})
}
