package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	gojose "github.com/go-jose/go-jose/v4"
)

func TestSignVerifyEmbedded(t *testing.T) {
	t.Parallel()
	testKeys(t)
	// opaque hides the key's type, as an HSM or KMS signer does.
	type opaque struct{ crypto.Signer }
	for _, key := range []crypto.Signer{rsaKey, ecKey, edKey, opaque{ecKey}, opaque{rsaKey}} {
		compact, err := SignEmbedded(key, "dpop+jwt", map[string]string{"htm": "GET"})
		if err != nil {
			t.Fatal(err)
		}
		payload, h, pub, err := VerifyEmbedded(compact, all)
		if err != nil {
			t.Fatalf("%T: %v", key, err)
		}
		if h.Typ != "dpop+jwt" || string(payload) != `{"htm":"GET"}` {
			t.Errorf("%T: header %+v payload %s", key, h, payload)
		}
		want, _ := Thumbprint(key.Public())
		if got, _ := Thumbprint(pub); got != want {
			t.Errorf("%T: embedded key thumbprint %q, want %q", key, got, want)
		}
	}
}

func TestVerifyEmbeddedRejects(t *testing.T) {
	t.Parallel()
	testKeys(t)
	good, err := SignEmbedded(ecKey, "dpop+jwt", map[string]string{"a": "b"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	pubJWK, _ := json.Marshal(gojose.JSONWebKey{Key: ecKey.Public()})
	privJWK, _ := json.Marshal(gojose.JSONWebKey{Key: ecKey})
	es256 := func(in string) []byte {
		sum := sha256.Sum256([]byte(in))
		r, s, err := ecdsa.Sign(rand.Reader, ecKey, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		out := make([]byte, 64)
		r.FillBytes(out[:32])
		s.FillBytes(out[32:])
		return out
	}
	otherSigned, _ := SignEmbedded(rsaKey, "dpop+jwt", map[string]string{"a": "b"})
	for name, tc := range map[string]struct {
		compact string
		want    error
	}{
		"no jwk":           {forge(`{"alg":"ES256","typ":"dpop+jwt"}`, `{}`, es256), ErrMalformed},
		"private jwk":      {forge(`{"alg":"ES256","jwk":`+string(privJWK)+`}`, `{}`, es256), ErrMalformed},
		"other signature":  {parts[0] + "." + parts[1] + "." + strings.Split(otherSigned, ".")[2], ErrBadSignature},
		"tampered payload": {parts[0] + ".e30." + parts[2], ErrBadSignature},
		"public jwk ok":    {forge(`{"alg":"ES256","jwk":`+string(pubJWK)+`}`, `{}`, es256), nil},
	} {
		_, _, _, err := VerifyEmbedded(tc.compact, all)
		if (tc.want == nil) != (err == nil) || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
}

func FuzzVerifyEmbedded(f *testing.F) {
	testKeys(f)
	good, err := SignEmbedded(ecKey, "dpop+jwt", map[string]string{"a": "b"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		_, _, pub, err := VerifyEmbedded(s, all)
		if err == nil && pub == nil {
			t.Fatal("verified without a key")
		}
	})
}
