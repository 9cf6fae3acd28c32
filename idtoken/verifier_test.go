package idtoken

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
	otherKey *rsa.PrivateKey
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if otherKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader); err != nil {
			panic(err)
		}
	})
}

const (
	testIssuer = "https://issuer.example"
	testClient = "client-1"
)

var testNow = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// baseClaims are valid claims at testNow.
func baseClaims() map[string]any {
	return map[string]any{
		"iss": testIssuer, "sub": "alice", "aud": testClient,
		"iat": testNow.Add(-time.Minute).Unix(), "exp": testNow.Add(time.Hour).Unix(),
		"nonce": "n1", "email": "alice@example.com", "email_verified": "true",
	}
}

func with(edit map[string]any) map[string]any {
	c := baseClaims()
	maps.Copy(c, edit)
	for k, v := range c {
		if v == nil {
			delete(c, k)
		}
	}
	return c
}

func sign(t testing.TB, key crypto.Signer, kid string, claims any) string {
	t.Helper()
	s, err := jose.Sign(key, kid, "JWT", claims)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// forge makes a compact JWS from a raw header with a given signature.
func forge(header string, claims any, sig func(in string) []byte) string {
	p, _ := json.Marshal(claims)
	in := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString(p)
	return in + "." + base64.RawURLEncoding.EncodeToString(sig(in))
}

func staticVerifier(t testing.TB, edit func(*Options)) *Verifier {
	t.Helper()
	testKeys(t)
	o := &Options{
		Issuer: testIssuer, Audiences: []string{testClient},
		Keys: map[string]crypto.PublicKey{"rsa": rsaKey.Public(), "ec": ecKey.Public()},
		Now:  func() time.Time { return testNow },
	}
	if edit != nil {
		edit(o)
	}
	v, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestVerifyAccepts(t *testing.T) {
	t.Parallel()
	v := staticVerifier(t, nil)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		tok  string
		opts []VerifyOption
	}{
		{"RS256", sign(t, rsaKey, "rsa", baseClaims()), nil},
		{"ES256", sign(t, ecKey, "ec", baseClaims()), nil},
		{"nonce", sign(t, rsaKey, "rsa", baseClaims()), []VerifyOption{WithNonce("n1")}},
		{"aud array", sign(t, rsaKey, "rsa", with(map[string]any{"aud": []string{testClient}})), nil},
		{"several aud with azp", sign(t, rsaKey, "rsa", with(map[string]any{"aud": []string{"x", testClient}, "azp": testClient})), nil},
		{"expired within skew", sign(t, rsaKey, "rsa", with(map[string]any{"exp": testNow.Add(-299 * time.Second).Unix()})), nil},
		{"iat ahead within skew", sign(t, rsaKey, "rsa", with(map[string]any{"iat": testNow.Add(299 * time.Second).Unix()})), nil},
		{"fractional dates", sign(t, rsaKey, "rsa", with(map[string]any{"exp": float64(testNow.Unix()) + 0.5})), nil},
		{"at_hash", sign(t, rsaKey, "rsa", with(map[string]any{"at_hash": mustAtHash("RS256", "at-1")})), []VerifyOption{WithAccessToken("at-1")}},
		{"no at_hash with access token", sign(t, rsaKey, "rsa", baseClaims()), []VerifyOption{WithAccessToken("at-1")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := v.Verify(ctx, tc.tok, tc.opts...)
			if err != nil {
				t.Fatal(err)
			}
			if c.Subject != "alice" || c.Issuer != testIssuer || !c.EmailVerified || c.Email != "alice@example.com" {
				t.Errorf("claims = %+v", c)
			}
			m, err := c.Map()
			if err != nil || m["sub"] != "alice" {
				t.Errorf("Map = %v, %v", m, err)
			}
		})
	}
}

func mustAtHash(alg, at string) string { h, _ := atHash(alg, at); return h }

func TestVerifyRejects(t *testing.T) {
	t.Parallel()
	v := staticVerifier(t, nil)
	ctx := context.Background()
	good := sign(t, rsaKey, "rsa", baseClaims())
	parts := strings.Split(good, ".")
	pubDER, _ := x509.MarshalPKIXPublicKey(rsaKey.Public())
	hs256 := func(in string) []byte { m := hmac.New(sha256.New, pubDER); m.Write([]byte(in)); return m.Sum(nil) }
	for _, tc := range []struct {
		name string
		tok  string
		opts []VerifyOption
		want error
	}{
		{"forged: other key", sign(t, otherKey, "rsa", baseClaims()), nil, ErrBadSignature},
		{"forged: altered claims", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"mallory"}`)) + "." + parts[2], nil, ErrBadSignature},
		{"alg none", forge(`{"alg":"none","kid":"rsa"}`, baseClaims(), func(string) []byte { return nil }), nil, ErrAlgNotAllowed},
		{"HS256 with the public key", forge(`{"alg":"HS256","kid":"rsa"}`, baseClaims(), hs256), nil, ErrAlgNotAllowed},
		{"unknown kid", sign(t, rsaKey, "rotated", baseClaims()), nil, ErrUnknownKID},
		{"expired", sign(t, rsaKey, "rsa", with(map[string]any{"exp": testNow.Add(-301 * time.Second).Unix()})), nil, ErrExpired},
		{"not yet valid: nbf", sign(t, rsaKey, "rsa", with(map[string]any{"nbf": testNow.Add(301 * time.Second).Unix()})), nil, ErrNotYetValid},
		{"not yet valid: iat", sign(t, rsaKey, "rsa", with(map[string]any{"iat": testNow.Add(time.Hour).Unix()})), nil, ErrNotYetValid},
		{"wrong audience", sign(t, rsaKey, "rsa", with(map[string]any{"aud": "someone-else"})), nil, ErrAudience},
		{"several aud without azp", sign(t, rsaKey, "rsa", with(map[string]any{"aud": []string{"x", testClient}})), nil, ErrAudience},
		{"several aud, azp other", sign(t, rsaKey, "rsa", with(map[string]any{"aud": []string{"x", testClient}, "azp": "x"})), nil, ErrAudience},
		{"wrong issuer", sign(t, rsaKey, "rsa", with(map[string]any{"iss": "https://evil.example"})), nil, ErrIssuer},
		{"nonce mismatch", good, []VerifyOption{WithNonce("n2")}, ErrNonce},
		{"nonce missing", sign(t, rsaKey, "rsa", with(map[string]any{"nonce": nil})), []VerifyOption{WithNonce("n1")}, ErrNonce},
		{"at_hash mismatch", sign(t, rsaKey, "rsa", with(map[string]any{"at_hash": mustAtHash("RS256", "at-1")})), []VerifyOption{WithAccessToken("at-2")}, ErrAtHash},
		{"no exp", sign(t, rsaKey, "rsa", with(map[string]any{"exp": nil})), nil, ErrMalformed},
		{"exp a string", sign(t, rsaKey, "rsa", with(map[string]any{"exp": "tomorrow"})), nil, ErrMalformed},
		{"aud a number", sign(t, rsaKey, "rsa", with(map[string]any{"aud": 7})), nil, ErrMalformed},
		{"claims not an object", sign(t, rsaKey, "rsa", []int{1}), nil, ErrMalformed},
		{"not a JWS", "hello", nil, ErrMalformed},
		{"oversized", strings.Repeat("a", MaxTokenSize+1), nil, ErrTooLarge},
		{"ES256 not allowed here", sign(t, ecKey, "ec", baseClaims()), nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vv := v
			if tc.want == nil { // a verifier allowing RS256 only
				vv = staticVerifier(t, func(o *Options) { o.Algorithms = []string{"RS256"} })
				tc.want = ErrAlgNotAllowed
			}
			_, err := vv.Verify(ctx, tc.tok, tc.opts...)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(tc.tok) > 16 && strings.Contains(err.Error(), tc.tok[len(tc.tok)-16:]) {
				t.Error("the error quotes the token")
			}
		})
	}
}

func TestGoogleIssuers(t *testing.T) {
	t.Parallel()
	v := staticVerifier(t, func(o *Options) { o.Issuer = GoogleIssuer })
	for _, iss := range []string{"https://accounts.google.com", "accounts.google.com"} {
		if _, err := v.Verify(context.Background(), sign(t, rsaKey, "rsa", with(map[string]any{"iss": iss})), nil...); err != nil {
			t.Errorf("iss %q: %v", iss, err)
		}
	}
	if _, err := v.Verify(context.Background(), sign(t, rsaKey, "rsa", with(map[string]any{"iss": "https://accounts.google.com.evil"}))); !errors.Is(err, ErrIssuer) {
		t.Errorf("err = %v", err)
	}
	g, err := New(&Options{Issuer: "accounts.google.com", Audiences: []string{"x"}})
	if err != nil {
		t.Fatal(err)
	}
	if c, ok := g.keys.(interface{ Fetches() int }); !ok || c.Fetches() != 0 {
		t.Errorf("Google verifier keys = %T", g.keys)
	}
}

func TestNewRefuses(t *testing.T) {
	t.Parallel()
	testKeys(t)
	keys := map[string]crypto.PublicKey{"k": rsaKey.Public()}
	for name, o := range map[string]*Options{
		"nil":            nil,
		"no issuer":      {Audiences: []string{"a"}, Keys: keys},
		"no audience":    {Issuer: testIssuer, Keys: keys},
		"empty audience": {Issuer: testIssuer, Audiences: []string{""}, Keys: keys},
		"no keys":        {Issuer: testIssuer, Audiences: []string{"a"}},
		"HS256 allowed":  {Issuer: testIssuer, Audiences: []string{"a"}, Keys: keys, Algorithms: []string{"HS256"}},
		"none allowed":   {Issuer: testIssuer, Audiences: []string{"a"}, Keys: keys, Algorithms: []string{"none"}},
		"http JWKS":      {Issuer: testIssuer, Audiences: []string{"a"}, JWKSURL: "http://keys.example/jwks"},
		"no usable key":  {Issuer: testIssuer, Audiences: []string{"a"}, Keys: map[string]crypto.PublicKey{"k": []byte("secret")}},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
}

// jwksServer serves the test keys' JWK set, counting fetches.
func jwksServer(t testing.TB, keys ...jose.Key) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	body, err := jose.MarshalKeySet(keys...)
	if err != nil {
		t.Fatal(err)
	}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestJWKSErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		body string
		want error
	}{
		{"no usable key", `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`, ErrNoUsableKey},
		{"oversized", `{"keys":[` + strings.Repeat(" ", 2<<20) + `]}`, ErrKeySetTooLarge},
		{"status 503", "", ErrKeys},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.body == "" {
					http.Error(w, "down", http.StatusServiceUnavailable)
					return
				}
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			v := staticVerifier(t, func(o *Options) { o.Keys, o.JWKSURL = nil, srv.URL })
			_, err := v.Verify(context.Background(), sign(t, rsaKey, "rsa", baseClaims()))
			if !errors.Is(err, ErrKeys) || !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want ErrKeys and %v", err, tc.want)
			}
		})
	}
}

func TestColdStartOneFetch(t *testing.T) {
	t.Parallel()
	testKeys(t)
	srv, hits := jwksServer(t, jose.Key{KID: "rsa", Public: rsaKey.Public()})
	v := staticVerifier(t, func(o *Options) { o.Keys, o.JWKSURL = nil, srv.URL })
	tok := sign(t, rsaKey, "rsa", baseClaims())
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 64 {
		wg.Go(func() {
			if _, err := v.Verify(context.Background(), tok); err != nil {
				failed.Add(1)
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := hits.Load(); n != 1 {
		t.Errorf("64 cold verifications made %d JWKS fetches, want 1", n)
	}
	t.Logf("reliability: 64 goroutines cold, %d JWKS fetch, %d failures", hits.Load(), failed.Load())
}

func TestUnknownKIDRefetchRateLimited(t *testing.T) {
	t.Parallel()
	testKeys(t)
	srv, hits := jwksServer(t, jose.Key{KID: "rsa", Public: rsaKey.Public()})
	clk := &fakeClock{t: testNow}
	v := staticVerifier(t, func(o *Options) { o.Keys, o.JWKSURL, o.Now = nil, srv.URL, clk.Now })
	ctx := context.Background()
	if _, err := v.Verify(ctx, sign(t, rsaKey, "rsa", baseClaims())); err != nil {
		t.Fatal(err)
	}
	bad := sign(t, rsaKey, "unknown", baseClaims())
	periods := 3
	for p := range periods {
		clk.Add(10 * time.Second)
		for i := range 1000 {
			if _, err := v.Verify(ctx, bad); !errors.Is(err, ErrUnknownKID) {
				t.Fatalf("period %d token %d: err = %v", p, i, err)
			}
		}
	}
	refetches := int(hits.Load()) - 1
	if refetches > periods {
		t.Errorf("%d refetches in %d periods, want at most one per period", refetches, periods)
	}
	t.Logf("reliability: %d tokens with an unknown kid over %d rate-limit periods, %d JWKS refetches", 1000*periods, periods, refetches)
}

func TestNewFromDiscoveryAndRefetch(t *testing.T) {
	t.Parallel()
	testKeys(t)
	// A provider that rotates in a new key after the first fetch.
	var (
		mu   sync.Mutex
		keys = []jose.Key{{KID: "rsa", Public: rsaKey.Public()}}
		hits atomic.Int32
	)
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{
			"issuer": srv.URL, "authorization_endpoint": srv.URL + "/auth", "token_endpoint": srv.URL + "/token", "jwks_uri": srv.URL + "/jwks",
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		mu.Lock()
		b, _ := jose.MarshalKeySet(keys...)
		mu.Unlock()
		w.Write(b)
	})
	clk := &fakeClock{t: testNow}
	v, err := NewFromDiscovery(context.Background(), srv.URL, &Options{Audiences: []string{testClient}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	claims := with(map[string]any{"iss": srv.URL})
	if _, err := v.Verify(context.Background(), sign(t, rsaKey, "rsa", claims)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	keys = append(keys, jose.Key{KID: "ec2", Public: ecKey.Public()})
	mu.Unlock()
	clk.Add(11 * time.Second)
	if _, err := v.Verify(context.Background(), sign(t, ecKey, "ec2", claims)); err != nil {
		t.Fatalf("rotated key: %v", err)
	}
	if n := hits.Load(); n != 2 {
		t.Errorf("fetches = %d, want 2", n)
	}
	if _, err := NewFromDiscovery(context.Background(), "http://example.com", &Options{Audiences: []string{"a"}}); err == nil {
		t.Error("discovery over plain http to a remote host succeeded")
	}
}

func TestVerifyIDTokenSeam(t *testing.T) {
	t.Parallel()
	v := staticVerifier(t, nil)
	var seam interface {
		VerifyIDToken(ctx context.Context, raw, nonce string) (map[string]any, error)
	} = v
	m, err := seam.VerifyIDToken(context.Background(), sign(t, rsaKey, "rsa", baseClaims()), "n1")
	if err != nil || m["email"] != "alice@example.com" {
		t.Fatalf("claims %v, err %v", m, err)
	}
	if _, err := seam.VerifyIDToken(context.Background(), sign(t, rsaKey, "rsa", baseClaims()), "n2"); !errors.Is(err, ErrNonce) {
		t.Errorf("err = %v", err)
	}
}

func FuzzVerify(f *testing.F) {
	v := staticVerifier(f, nil)
	f.Add(sign(f, rsaKey, "rsa", baseClaims()))
	f.Add(sign(f, ecKey, "ec", with(map[string]any{"aud": []any{1, "x"}})))
	f.Add(forge(`{"alg":"none"}`, baseClaims(), func(string) []byte { return nil }))
	f.Add("a.b.c")
	sentinels := []error{ErrMalformed, ErrTooLarge, ErrAlgNotAllowed, ErrUnknownKID, ErrBadSignature, ErrKeys, ErrKeySetTooLarge, ErrNoUsableKey, ErrIssuer, ErrAudience, ErrExpired, ErrNotYetValid, ErrNonce, ErrAtHash}
	f.Fuzz(func(t *testing.T, raw string) {
		_, err := v.Verify(context.Background(), raw, WithNonce("n1"), WithAccessToken("at"))
		if err == nil {
			return
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("untyped error %v", err)
	})
}

func FuzzClaims(f *testing.F) {
	f.Add([]byte(`{"exp":1.5,"aud":["a"],"email_verified":"true"}`))
	f.Add([]byte(`{"exp":1e300,"aud":7}`))
	f.Add([]byte(`{"exp":1700000000,"iat":1700000000,"aud":"a"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var w wireClaims
		if json.Unmarshal(b, &w) != nil {
			return
		}
		// What decodes is within the ranges the verifier compares.
		lo, hi := time.Unix(0, 0), time.Unix(1<<40, 0)
		for name, d := range map[string]*numericDate{"exp": w.Exp, "iat": w.Iat, "nbf": w.Nbf} {
			if d != nil && (d.t.Before(lo) || d.t.After(hi)) {
				t.Fatalf("%s decoded to %v, outside [0, 2^40] seconds", name, d.t)
			}
		}
		for _, a := range w.Aud {
			if len(a) > len(b) {
				t.Fatalf("aud %q is longer than the input", a)
			}
		}
	})
}

// at_hash (OIDC Core §3.1.3.6): the left half of the hash of the access
// token with the hash of the ID token's algorithm, base64url. Expected
// values are computed here, not by the code under test; the first is the
// example of OIDC Core Appendix A.4.
func TestAtHashVectors(t *testing.T) {
	t.Parallel()
	left := func(sum []byte) string { return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]) }
	at := "jHkWEdUXMU1BwAsC4vtUsZwnNvTIxEl0z9K3vx5KF0Y"
	s256, s384, s512 := sha256.Sum256([]byte(at)), sha512.Sum384([]byte(at)), sha512.Sum512([]byte(at))
	for _, tt := range []struct{ alg, want string }{
		{"RS256", "77QmUPtjPfzWtF2AnpK9RQ"},
		{"ES256", left(s256[:])},
		{"PS384", left(s384[:])},
		{"ES512", left(s512[:])},
		{"EdDSA", left(s512[:])},
	} {
		if got, ok := atHash(tt.alg, at); !ok || got != tt.want {
			t.Errorf("atHash(%s) = %q, %v; want %q", tt.alg, got, ok, tt.want)
		}
	}
	if _, ok := atHash("HS256", at); ok {
		t.Error("atHash accepted HS256")
	}
}

func staticNow() time.Time { return testNow }
