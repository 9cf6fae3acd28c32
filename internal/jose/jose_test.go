package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"sync"
	"testing"
)

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	edKey    ed25519.PrivateKey
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
		if _, edKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
			panic(err)
		}
	})
}

func allSet(t testing.TB) *KeySet {
	t.Helper()
	set, err := NewKeySet(
		Key{KID: "rsa", Public: rsaKey.Public()},
		Key{KID: "ec", Public: ecKey.Public()},
		Key{KID: "ed", Public: edKey.Public()},
	)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

var all = []string{RS256, ES256, EdDSA}

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	testKeys(t)
	set := allSet(t)
	for _, tc := range []struct {
		name, kid, alg string
		key            crypto.Signer
	}{
		{"rsa", "rsa", RS256, rsaKey},
		{"ec", "ec", ES256, ecKey},
		{"ed", "ed", EdDSA, edKey},
		{"opaque rsa", "rsa", RS256, opaque{rsaKey}},
		{"opaque ec", "ec", ES256, opaque{ecKey}},
		{"no kid", "", ES256, ecKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tok, err := Sign(tc.key, tc.kid, "JWT", map[string]any{"sub": "alice"})
			if err != nil {
				t.Fatal(err)
			}
			payload, h, err := Verify(tok, all, set)
			if err != nil {
				t.Fatal(err)
			}
			if h.Alg != tc.alg || h.KID != tc.kid || h.Typ != "JWT" {
				t.Errorf("header = %+v", h)
			}
			var c map[string]any
			if err := json.Unmarshal(payload, &c); err != nil || c["sub"] != "alice" {
				t.Errorf("payload = %s, %v", payload, err)
			}
		})
	}
}

// opaque hides the concrete key type, as an HSM-backed signer would.
type opaque struct{ crypto.Signer }

func TestSignHeaderOmitsEmpty(t *testing.T) {
	t.Parallel()
	testKeys(t)
	tok, err := Sign(ecKey, "", "", struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := strings.Cut(tok, ".")
	b, _ := base64.RawURLEncoding.DecodeString(h)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 || m["alg"] != ES256 {
		t.Errorf("header = %s, want only alg", b)
	}
}

func TestSignRefusesKeys(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]crypto.Signer{"rsa1024": small, "p384": p384, "nil": nil} {
		if _, err := Sign(k, "k", "", nil); !errors.Is(err, ErrUnsupportedKey) {
			t.Errorf("%s: err = %v, want ErrUnsupportedKey", name, err)
		}
	}
	testKeys(t)
	if _, err := Sign(rsaKey, "k", "", func() {}); err == nil {
		t.Error("unencodable claims signed")
	}
}

func TestThumbprint(t *testing.T) {
	t.Parallel()
	// RFC 7638 §3.1's example key.
	n, _ := base64.RawURLEncoding.DecodeString("0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw")
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	got, err := Thumbprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Errorf("Thumbprint = %s, want %s", got, want)
	}
	testKeys(t)
	for _, k := range []crypto.PublicKey{ecKey.Public(), edKey.Public()} {
		if s, err := Thumbprint(k); err != nil || len(s) != 43 {
			t.Errorf("Thumbprint(%T) = %q, %v", k, s, err)
		}
	}
	if _, err := Thumbprint("nope"); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("Thumbprint(string) err = %v", err)
	}
}

// forge builds a compact JWS from a raw header and payload with a given
// signature function, for tokens Sign would never make.
func forge(header, payload string, sig func(signingInput string) []byte) string {
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	return in + "." + base64.RawURLEncoding.EncodeToString(sig(in))
}

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	testKeys(t)
	set := allSet(t)
	good, err := Sign(rsaKey, "rsa", "JWT", map[string]string{"sub": "a"})
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	byOther, _ := Sign(otherKey, "ec", "", map[string]string{"sub": "a"})
	pubDER, _ := x509.MarshalPKIXPublicKey(rsaKey.Public())
	hs := func(in string) []byte { m := hmac.New(sha256.New, pubDER); m.Write([]byte(in)); return m.Sum(nil) }
	for _, tc := range []struct {
		name, tok string
		allowed   []string
		want      error
	}{
		{"alg none", forge(`{"alg":"none","kid":"rsa"}`, `{}`, func(string) []byte { return nil }), all, ErrAlgNotAllowed},
		{"alg none listed", forge(`{"alg":"none"}`, `{}`, func(string) []byte { return nil }), []string{"none"}, ErrAlgNotAllowed},
		{"HS256 with public key", forge(`{"alg":"HS256","kid":"rsa"}`, `{}`, hs), append([]string{"HS256"}, all...), ErrAlgNotAllowed},
		{"alg not in list", good, []string{ES256}, ErrAlgNotAllowed},
		{"unknown kid", forge(`{"alg":"RS256","kid":"zzz"}`, `{}`, func(string) []byte { return []byte("x") }), all, ErrUnknownKID},
		{"forged payload", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory"}`)) + "." + parts[2], all, ErrBadSignature},
		{"other key same kid", byOther, all, ErrBadSignature},
		{"kid of wrong type", forge(`{"alg":"ES256","kid":"rsa"}`, `{}`, func(string) []byte { return make([]byte, 64) }), all, ErrUnknownKID},
		{"two parts", parts[0] + "." + parts[1], all, ErrMalformed},
		{"bad base64", "!!.!!.!!", all, ErrMalformed},
		{"empty", "", all, ErrMalformed},
		{"oversized", strings.Repeat("a", MaxCompactSize+1), all, ErrTooLarge},
		{"empty allowlist", good, nil, ErrAlgNotAllowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := Verify(tc.tok, tc.allowed, set)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(tc.tok) > 20 && strings.Contains(err.Error(), tc.tok) {
				t.Errorf("error quotes the token")
			}
		})
	}
}

func TestKeySetJSON(t *testing.T) {
	t.Parallel()
	testKeys(t)
	data, err := MarshalKeySet(Key{KID: "rsa", Public: rsaKey.Public()}, Key{KID: "ec", Public: ecKey.Public()})
	if err != nil {
		t.Fatal(err)
	}
	// Add keys a verifier must skip: an encryption key, a symmetric key,
	// an unknown type.
	var m map[string][]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	m["keys"] = append(m["keys"],
		json.RawMessage(`{"kty":"oct","k":"c2VjcmV0","kid":"hs"}`),
		json.RawMessage(`{"kty":"XYZ","kid":"odd"}`),
	)
	data, _ = json.Marshal(m)
	set, err := ParseKeySet(data)
	if err != nil {
		t.Fatal(err)
	}
	if set.Len() != 2 || !set.Has("rsa") || !set.Has("ec") || set.Has("hs") {
		t.Errorf("set = %+v", set.Keys())
	}
	tok, _ := Sign(ecKey, "ec", "", map[string]int{"n": 1})
	if _, _, err := Verify(tok, all, set); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{`{"keys":[]}`, `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, `{}`} {
		if _, err := ParseKeySet([]byte(bad)); !errors.Is(err, ErrNoUsableKey) {
			t.Errorf("ParseKeySet(%s) err = %v, want ErrNoUsableKey", bad, err)
		}
	}
	if _, err := ParseKeySet([]byte(`[`)); !errors.Is(err, ErrMalformed) {
		t.Errorf("ParseKeySet([) err = %v", err)
	}
}

func FuzzParse(f *testing.F) {
	testKeys(f)
	set := allSet(f)
	good, _ := Sign(rsaKey, "rsa", "JWT", map[string]string{"sub": "a"})
	f.Add(good)
	f.Add(forge(`{"alg":"none"}`, `{}`, func(string) []byte { return nil }))
	f.Add("a.b.c")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		j, err := Parse(s, all)
		if err != nil {
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrAlgNotAllowed) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !contains(allowlist(all), j.Header.Alg) {
			t.Fatalf("parsed alg %q outside the allowlist", j.Header.Alg)
		}
		_, _ = j.Verify(set)
	})
}

func FuzzParseKeySet(f *testing.F) {
	testKeys(f)
	data, _ := MarshalKeySet(Key{KID: "rsa", Public: rsaKey.Public()}, Key{KID: "ec", Public: ecKey.Public()})
	f.Add(data)
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		set, err := ParseKeySet(b)
		if err == nil && set.Len() == 0 {
			t.Fatal("empty set without error")
		}
	})
}

// A key set drops EC keys on curves no ES* algorithm uses: such a key could
// verify nothing and would show up as an unknown kid.
func TestKeySetDropsOtherCurves(t *testing.T) {
	t.Parallel()
	p224, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	set, err := NewKeySet(Key{KID: "p224", Public: &p224.PublicKey}, Key{KID: "p256", Public: &p256.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	if set.Has("p224") || !set.Has("p256") {
		t.Errorf("key set holds p224=%v p256=%v; want only the P-256 key", set.Has("p224"), set.Has("p256"))
	}
}
