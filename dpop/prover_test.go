package dpop_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/internal/jose"
)

type proofClaims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath"`
	Nonce string `json:"nonce"`
}

// verify checks proof's signature with its embedded key and returns its
// claims and the key's thumbprint.
func verify(t *testing.T, proof string) (proofClaims, string) {
	t.Helper()
	payload, h, pub, err := jose.VerifyEmbedded(proof, []string{jose.ES256, jose.RS256, jose.EdDSA})
	if err != nil {
		t.Fatalf("VerifyEmbedded: %v", err)
	}
	if h.Typ != dpop.ProofType {
		t.Errorf("typ = %q, want %q", h.Typ, dpop.ProofType)
	}
	var c proofClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	jkt, err := jose.Thumbprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	return c, jkt
}

func TestProofClaims(t *testing.T) {
	t.Parallel()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Unix(1_700_000_000, 0)
	for _, tc := range []struct {
		name, method, url, token, wantHTU, wantATH string
		key                                        any
	}{
		{name: "generated", method: "POST", url: "https://as.example/token", wantHTU: "https://as.example/token"},
		{name: "ecdsa query fragment", key: ecKey, method: "GET", url: "https://rs.example/api/x?a=b#frag", token: "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU", // RFC 9449 §7.1
			wantHTU: "https://rs.example/api/x", wantATH: "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"},
		{name: "rsa", key: rsaKey, method: "GET", url: "http://127.0.0.1:8080/r", wantHTU: "http://127.0.0.1:8080/r"},
		{name: "ed25519", key: edKey, method: "PUT", url: "https://rs.example/", wantHTU: "https://rs.example/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p *dpop.Prover
			var err error
			switch k := tc.key.(type) {
			case nil:
				p, err = dpop.NewProver(nil, &dpop.Options{Now: func() time.Time { return now }})
			case *rsa.PrivateKey:
				p, err = dpop.NewProver(k, &dpop.Options{Now: func() time.Time { return now }})
			case *ecdsa.PrivateKey:
				p, err = dpop.NewProver(k, &dpop.Options{Now: func() time.Time { return now }})
			case ed25519.PrivateKey:
				p, err = dpop.NewProver(k, &dpop.Options{Now: func() time.Time { return now }})
			}
			if err != nil {
				t.Fatal(err)
			}
			h := http.Header{}
			if err := p.BindRequest(context.Background(), &oauth2client.ProofRequest{Method: tc.method, URL: tc.url, Header: h, AccessToken: tc.token}); err != nil {
				t.Fatal(err)
			}
			c, jkt := verify(t, h.Get("DPoP"))
			if jkt != p.JKT() {
				t.Errorf("jwk thumbprint %q, JKT() %q", jkt, p.JKT())
			}
			if c.HTM != tc.method || c.HTU != tc.wantHTU || c.IAT != now.Unix() || c.JTI == "" || c.Nonce != "" {
				t.Errorf("claims = %+v", c)
			}
			if tc.token != "" && c.ATH != dpop.AccessTokenHash(tc.token) {
				t.Errorf("ath = %q, want %q", c.ATH, dpop.AccessTokenHash(tc.token))
			}
			if tc.wantATH != "" && c.ATH != tc.wantATH {
				t.Errorf("ath = %q, want %q", c.ATH, tc.wantATH)
			}
			if p.TokenType() != "DPoP" {
				t.Errorf("TokenType = %q", p.TokenType())
			}
		})
	}
}

func TestUniqueJTI(t *testing.T) {
	t.Parallel()
	p, err := dpop.NewProver(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for range 50 {
		proof, err := p.Proof("POST", "https://as.example/token", "")
		if err != nil {
			t.Fatal(err)
		}
		c, _ := verify(t, proof)
		if seen[c.JTI] {
			t.Fatalf("jti %q repeated", c.JTI)
		}
		seen[c.JTI] = true
	}
}

func TestNonces(t *testing.T) {
	t.Parallel()
	p, err := dpop.NewProver(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	for _, tc := range []struct {
		name string
		a    oauth2client.ProofAnswer
		want bool
	}{
		{"token endpoint asks", oauth2client.ProofAnswer{URL: "https://as.example/token", StatusCode: 400, ErrorCode: "use_dpop_nonce", Header: hdr("DPoP-Nonce", "n1")}, true},
		{"asks without nonce", oauth2client.ProofAnswer{URL: "https://as.example/token", StatusCode: 400, ErrorCode: "use_dpop_nonce", Header: hdr()}, false},
		{"other error", oauth2client.ProofAnswer{URL: "https://as.example/token", StatusCode: 400, ErrorCode: "invalid_grant", Header: hdr("DPoP-Nonce", "n1")}, false},
		{"resource asks", oauth2client.ProofAnswer{URL: "https://rs.example/api?x=1", StatusCode: 401, Header: hdr("DPoP-Nonce", "r1", "WWW-Authenticate", `DPoP error="use_dpop_nonce", error_description="x"`)}, true},
		{"resource bearer challenge", oauth2client.ProofAnswer{URL: "https://rs2.example/api", StatusCode: 401, Header: hdr("DPoP-Nonce", "r2", "WWW-Authenticate", `Bearer error="use_dpop_nonce"`)}, false},
		{"success with nonce", oauth2client.ProofAnswer{URL: "https://as.example/token", StatusCode: 200, Header: hdr("DPoP-Nonce", "n2")}, false},
	} {
		if got := p.NonceRetry(&tc.a); got != tc.want {
			t.Errorf("%s: NonceRetry = %v, want %v", tc.name, got, tc.want)
		}
	}
	for url, want := range map[string]string{
		"https://as.example/token":   "n2", // the latest
		"https://AS.example/other":   "n2", // per origin
		"https://rs.example/api":     "r1",
		"https://rs2.example/api":    "r2", // remembered even without a retry
		"https://as.example:444/tok": "",
		"http://as.example/token":    "",
	} {
		proof, err := p.Proof("POST", url, "")
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := verify(t, proof); c.Nonce != want {
			t.Errorf("%s: nonce = %q, want %q", url, c.Nonce, want)
		}
	}
}

func TestNewProverRefusesKeys(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if _, err := dpop.NewProver(small, nil); err == nil {
		t.Error("NewProver(RSA-1024) succeeded")
	}
	if _, err := dpop.NewProver(p384, nil); err == nil {
		t.Error("NewProver(P-384) succeeded")
	}
	p, _ := dpop.NewProver(nil, nil)
	if _, err := p.Proof("GET", "/relative", ""); err == nil {
		t.Error("Proof(relative URL) succeeded")
	}
}

func BenchmarkProof(b *testing.B) {
	p, err := dpop.NewProver(nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Proof("GET", "https://rs.example/api?x=1", "token"); err != nil {
			b.Fatal(err)
		}
	}
}
