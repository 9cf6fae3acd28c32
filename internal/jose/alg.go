package jose

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"fmt"

	gojose "github.com/go-jose/go-jose/v4"
)

// Algorithm names (RFC 7518 §3.1, RFC 8037 §3.1).
const (
	RS256 = "RS256"
	RS384 = "RS384"
	RS512 = "RS512"
	PS256 = "PS256"
	PS384 = "PS384"
	PS512 = "PS512"
	ES256 = "ES256"
	ES384 = "ES384"
	ES512 = "ES512"
	EdDSA = "EdDSA"
)

// MinRSABits is the smallest RSA modulus this package signs or verifies with.
const MinRSABits = 2048

// Asymmetric reports whether alg is one of the asymmetric signature
// algorithms this package knows. "none" and HS* are not.
func Asymmetric(alg string) bool {
	switch alg {
	case RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA:
		return true
	}
	return false
}

// fits reports whether pub can verify a signature made with alg.
func fits(alg string, pub crypto.PublicKey) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		switch alg {
		case RS256, RS384, RS512, PS256, PS384, PS512:
			return k.N.BitLen() >= MinRSABits
		}
	case *ecdsa.PublicKey:
		switch alg {
		case ES256:
			return k.Curve == elliptic.P256()
		case ES384:
			return k.Curve == elliptic.P384()
		case ES512:
			return k.Curve == elliptic.P521()
		}
	case ed25519.PublicKey:
		return alg == EdDSA
	}
	return false
}

// signingAlg returns the algorithm Sign uses for a key with public half pub.
func signingAlg(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < MinRSABits {
			return "", fmt.Errorf("%w: RSA key of %d bits, need at least %d", ErrUnsupportedKey, k.N.BitLen(), MinRSABits)
		}
		return RS256, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", fmt.Errorf("%w: ECDSA key on %s, need P-256", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		return ES256, nil
	case ed25519.PublicKey:
		return EdDSA, nil
	}
	return "", fmt.Errorf("%w: key type %T", ErrUnsupportedKey, pub)
}

// allowlist converts names to go-jose's type, dropping any name that is not
// a known asymmetric algorithm.
func allowlist(algs []string) []gojose.SignatureAlgorithm {
	out := make([]gojose.SignatureAlgorithm, 0, len(algs))
	for _, a := range algs {
		if Asymmetric(a) {
			out = append(out, gojose.SignatureAlgorithm(a))
		}
	}
	return out
}

// SigningAlg returns the algorithm [Sign] uses for a key whose public half
// is pub, or an error wrapping ErrUnsupportedKey when Sign would refuse it.
func SigningAlg(pub crypto.PublicKey) (string, error) { return signingAlg(pub) }
