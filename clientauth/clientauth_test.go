package clientauth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/internal/jose"
)

type assertionClaims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Aud string `json:"aud"`
	JTI string `json:"jti"`
	Exp int64  `json:"exp"`
	IAT int64  `json:"iat"`
}

// assertionServer is a token endpoint that records the client assertion
// of each request after checking its signature with verify.
type assertionServer struct {
	srv    *httptest.Server
	verify func(string) ([]byte, error)
	mu     sync.Mutex
	forms  []url.Values
	claims []assertionClaims
	errs   []error
}

func newAssertionServer(t *testing.T, verify func(string) ([]byte, error)) *assertionServer {
	s := &assertionServer{verify: verify}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		payload, err := s.verify(r.PostForm.Get("client_assertion"))
		var c assertionClaims
		if err == nil {
			err = json.Unmarshal(payload, &c)
		}
		s.mu.Lock()
		s.forms = append(s.forms, r.PostForm)
		s.claims = append(s.claims, c)
		s.errs = append(s.errs, err)
		s.mu.Unlock()
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"at","token_type":"Bearer","expires_in":300}`))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func keySetVerifier(t *testing.T, pub crypto.PublicKey, kid string) func(string) ([]byte, error) {
	t.Helper()
	set, err := jose.NewKeySet(jose.Key{KID: kid, Public: pub})
	if err != nil {
		t.Fatal(err)
	}
	return func(s string) ([]byte, error) {
		p, _, err := jose.Verify(s, []string{jose.RS256, jose.ES256, jose.EdDSA}, set)
		return p, err
	}
}

func pemOf(t *testing.T, key crypto.Signer) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	edKey    ed25519.PrivateKey
)

func testKeys(t *testing.T) (*rsa.PrivateKey, *ecdsa.PrivateKey, ed25519.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		rsaKey, _ = rsa.GenerateKey(rand.Reader, 2048)
		ecKey, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		_, edKey, _ = ed25519.GenerateKey(rand.Reader)
	})
	return rsaKey, ecKey, edKey
}

func TestPrivateKeyJWT(t *testing.T) {
	t.Parallel()
	rk, ek, dk := testKeys(t)
	rsaJWK, err := jose.MarshalPrivateJWK(rk, "rsa-1")
	if err != nil {
		t.Fatal(err)
	}
	edJWK, err := jose.MarshalPrivateJWK(dk, "ed-1")
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)})
	sec1DER, err := x509.MarshalECPrivateKey(ek)
	if err != nil {
		t.Fatal(err)
	}
	sec1 := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1DER})
	tests := []struct {
		name    string
		data    []byte
		kid     string // given kid; the JWK's wins when it has one
		wantKID string
		pub     crypto.PublicKey
		alg     string
	}{
		{"rsa pkcs8", pemOf(t, rk), "given", "given", rk.Public(), jose.RS256},
		{"rsa pkcs1", pkcs1, "", "", rk.Public(), jose.RS256},
		{"ec pkcs8", pemOf(t, ek), "k", "k", ek.Public(), jose.ES256},
		{"ec sec1", sec1, "", "", ek.Public(), jose.ES256},
		{"ed25519 pkcs8", pemOf(t, dk), "", "", dk.Public(), jose.EdDSA},
		{"rsa jwk", rsaJWK, "", "rsa-1", rk.Public(), jose.RS256},
		{"ed25519 jwk", edJWK, "", "ed-1", dk.Public(), jose.EdDSA},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key, kid, err := clientauth.ParseKey(tt.data, "test key")
			if err != nil {
				t.Fatal(err)
			}
			if kid == "" {
				kid = tt.kid
			}
			if kid != tt.wantKID {
				t.Fatalf("kid = %q, want %q", kid, tt.wantKID)
			}
			auth, err := clientauth.NewPrivateKeyJWT(key, kid, nil)
			if err != nil {
				t.Fatal(err)
			}
			if auth.Method() != "private_key_jwt" {
				t.Errorf("Method = %q", auth.Method())
			}
			srv := newAssertionServer(t, func(s string) ([]byte, error) {
				j, err := jose.Parse(s, []string{tt.alg})
				if err != nil {
					return nil, err
				}
				if j.Header.KID != tt.wantKID || j.Header.Typ != "JWT" {
					return nil, errors.New("header kid/typ")
				}
				return keySetVerifier(t, tt.pub, tt.wantKID)(s)
			})
			checkTwoRequests(t, srv, auth)
		})
	}
}

func TestClientSecretJWT(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-of-the-client-0123456789abcdef"
	auth, err := clientauth.NewClientSecretJWT(secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth.Method() != "client_secret_jwt" || strings.Contains(auth.String(), secret) {
		t.Errorf("Method = %q, String = %q", auth.Method(), auth.String())
	}
	srv := newAssertionServer(t, func(s string) ([]byte, error) { return jose.VerifyHS256(s, []byte(secret)) })
	checkTwoRequests(t, srv, auth)

	wrong := newAssertionServer(t, func(s string) ([]byte, error) { return jose.VerifyHS256(s, []byte(strings.Repeat("o", 32))) })
	_, err = oauth2client.RequestToken(t.Context(), &oauth2client.TokenRequest{
		URL: wrong.srv.URL, ClientID: "c", ClientAuth: auth, Params: url.Values{"grant_type": {"client_credentials"}},
	})
	if err == nil || !errors.Is(wrong.errs[0], jose.ErrBadSignature) {
		t.Fatalf("wrong secret: err = %v, server saw %v", err, wrong.errs)
	}
	for _, short := range []string{"", "31-bytes-are-too-few-for-hs256"} {
		if _, err := clientauth.NewClientSecretJWT(short, nil); err == nil {
			t.Errorf("secret of %d bytes accepted", len(short))
		}
	}
}

// checkTwoRequests sends two token requests authenticated by auth and
// checks their assertions: verified, iss = sub = client id, aud = the
// endpoint (RequestToken knows no issuer), a short exp, distinct jtis.
func checkTwoRequests(t *testing.T, srv *assertionServer, auth oauth2client.ClientAuth) {
	t.Helper()
	for range 2 {
		tok, err := oauth2client.RequestToken(t.Context(), &oauth2client.TokenRequest{
			URL: srv.srv.URL, ClientID: "client-1", ClientAuth: auth,
			Params: url.Values{"grant_type": {"client_credentials"}},
		})
		if err != nil {
			t.Fatalf("RequestToken: %v (server: %v)", err, srv.errs)
		}
		if tok.AccessToken != "at" {
			t.Fatalf("token %q", tok.AccessToken)
		}
	}
	now := time.Now().Unix()
	for i, c := range srv.claims {
		f := srv.forms[i]
		if f.Get("client_assertion_type") != clientauth.AssertionType || f.Get("client_id") != "client-1" || f.Has("client_secret") {
			t.Errorf("form %d: %v", i, f)
		}
		if c.Iss != "client-1" || c.Sub != "client-1" || c.Aud != srv.srv.URL {
			t.Errorf("claims %d: %+v", i, c)
		}
		if c.Exp-c.IAT != 60 || c.IAT > now+5 || c.IAT < now-300 {
			t.Errorf("claims %d: iat %d exp %d (now %d)", i, c.IAT, c.Exp, now)
		}
		if len(c.JTI) != 22 {
			t.Errorf("jti %q is not 128 bits", c.JTI)
		}
	}
	if srv.claims[0].JTI == srv.claims[1].JTI {
		t.Error("jti repeated")
	}
}

func TestAudience(t *testing.T) {
	t.Parallel()
	const secret = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name   string
		opts   clientauth.Options
		issuer string
		want   string
	}{
		{"issuer known", clientauth.Options{}, "https://issuer.example", "https://issuer.example"},
		{"issuer unknown", clientauth.Options{}, "", "https://as.example/revoke"},
		{"endpoint forced", clientauth.Options{Audience: clientauth.AudienceEndpoint}, "https://issuer.example", "https://as.example/revoke"},
		{"token endpoint forced", clientauth.Options{Audience: clientauth.AudienceTokenEndpoint, TokenURL: "https://as.example/token"}, "https://issuer.example", "https://as.example/token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Lifetime = 30 * time.Second
			tt.opts.Now = func() time.Time { return time.Unix(1000, 0) }
			auth, err := clientauth.NewClientSecretJWT(secret, &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			r := &oauth2client.ClientAuthRequest{
				Endpoint: "revocation", URL: "https://as.example/revoke", Issuer: tt.issuer,
				ClientID: "c", Form: url.Values{}, Header: http.Header{},
			}
			if err := auth.Authenticate(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			payload, err := jose.VerifyHS256(r.Form.Get("client_assertion"), []byte(secret))
			if err != nil {
				t.Fatal(err)
			}
			var c assertionClaims
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			if c.Aud != tt.want || c.IAT != 1000 || c.Exp != 1030 {
				t.Errorf("claims %+v, want aud %q", c, tt.want)
			}
		})
	}
	auth, _ := clientauth.NewClientSecretJWT(secret, nil)
	err := auth.Authenticate(context.Background(), &oauth2client.ClientAuthRequest{URL: "https://x", Form: url.Values{}, Header: http.Header{}})
	if !errors.Is(err, clientauth.ErrNoClientID) {
		t.Errorf("no client id: %v", err)
	}
}

func TestWrongKeyType(t *testing.T) {
	t.Parallel()
	rk, _, _ := testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubJWK, err := jose.MarshalPublicJWK(rk.Public(), "pub")
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(rk.Public())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want string // in the message
	}{
		{"rsa 1024", pemOf(t, small), "RSA key of 1024 bits"},
		{"ec p384", pemOf(t, p384), "P-384"},
		{"public jwk", pubJWK, "public key"},
		{"symmetric jwk", []byte(`{"kty":"oct","k":"c2VjcmV0LXNlY3JldC1zZWNyZXQ"}`), "symmetric key"},
		{"public pem", pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), `PEM block "PUBLIC KEY"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := clientauth.ParseKey(tt.data, "k.pem")
			var kt *clientauth.KeyTypeError
			if !errors.As(err, &kt) || !errors.Is(err, jose.ErrUnsupportedKey) || !strings.Contains(err.Error(), "k.pem") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want a *KeyTypeError naming k.pem and %s", err, tt.want)
			}
		})
	}
	var kt *clientauth.KeyTypeError
	if _, err := clientauth.NewPrivateKeyJWT(small, "", nil); !errors.As(err, &kt) {
		t.Errorf("NewPrivateKeyJWT(1024-bit RSA) = %v", err)
	}
	if _, err := clientauth.NewPrivateKeyJWT(nil, "", nil); !errors.As(err, &kt) {
		t.Errorf("NewPrivateKeyJWT(nil) = %v", err)
	}
}

func TestParseKeyMalformed(t *testing.T) {
	t.Parallel()
	for _, data := range []string{"", "not a key", "{", `{"kty":"RSA","n":"AQAB"}`, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"} {
		if _, _, err := clientauth.ParseKey([]byte(data), "f"); err == nil {
			t.Errorf("ParseKey(%q) succeeded", data)
		}
	}
}

func TestReadKeyFile(t *testing.T) {
	t.Parallel()
	_, ek, _ := testKeys(t)
	name := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(name, pemOf(t, ek), 0o600); err != nil {
		t.Fatal(err)
	}
	key, kid, err := clientauth.ReadKeyFile(name)
	if err != nil || kid != "" || !key.Public().(*ecdsa.PublicKey).Equal(ek.Public()) {
		t.Fatalf("ReadKeyFile = %v, %q, %v", key, kid, err)
	}
	if _, _, err := clientauth.ReadKeyFile(name + ".missing"); err == nil {
		t.Error("missing file accepted")
	}
}
