package jose

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestHS256(t *testing.T) {
	t.Parallel()
	secret := []byte(strings.Repeat("k", MinHMACKeyBytes))
	tok, err := SignHS256(secret, "JWT", map[string]string{"sub": "c"})
	if err != nil {
		t.Fatal(err)
	}
	payload, err := VerifyHS256(tok, secret)
	if err != nil || string(payload) != `{"sub":"c"}` {
		t.Fatalf("VerifyHS256 = %s, %v", payload, err)
	}
	if _, err := VerifyHS256(tok, []byte(strings.Repeat("x", MinHMACKeyBytes))); !errors.Is(err, ErrBadSignature) {
		t.Errorf("wrong secret: %v", err)
	}
	if _, err := SignHS256(secret[:31], "", struct{}{}); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("short secret: %v", err)
	}
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	asym, err := Sign(ed, "", "", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyHS256(asym, secret); !errors.Is(err, ErrAlgNotAllowed) {
		t.Errorf("EdDSA token: %v", err)
	}
	if _, err := VerifyHS256("a.b", secret); !errors.Is(err, ErrMalformed) {
		t.Errorf("malformed: %v", err)
	}
	// An HS256 token is refused by the asymmetric verifier.
	if _, err := Parse(tok, []string{HS256, RS256}); !errors.Is(err, ErrAlgNotAllowed) {
		t.Errorf("Parse(HS256) = %v", err)
	}
}

func TestParsePrivateJWK(t *testing.T) {
	t.Parallel()
	_, ed, _ := ed25519.GenerateKey(rand.Reader)
	data, err := MarshalPrivateJWK(ed, "kid-1")
	if err != nil {
		t.Fatal(err)
	}
	key, kid, err := ParsePrivateJWK(data)
	if err != nil || kid != "kid-1" || !key.(ed25519.PrivateKey).Equal(ed) {
		t.Fatalf("ParsePrivateJWK = %v, %q, %v", key, kid, err)
	}
	pub, err := MarshalPublicJWK(ed.Public(), "kid-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := ParsePrivateJWK(pub); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("public JWK: %v", err)
	}
	if _, _, err := ParsePrivateJWK([]byte("[]")); !errors.Is(err, ErrMalformed) {
		t.Errorf("not an object: %v", err)
	}
}
