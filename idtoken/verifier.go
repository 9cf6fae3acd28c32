package idtoken

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/internal/jwks"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Google's issuer spellings and key set.
const (
	// GoogleIssuer is the issuer of Google's ID tokens. Google also signs
	// tokens with "iss": "accounts.google.com"; a verifier for either
	// spelling accepts both.
	GoogleIssuer = "https://accounts.google.com"
	// GoogleCertsURL is Google's JWK set for ID tokens, used when the
	// issuer is Google's and no key source is given.
	GoogleCertsURL = "https://www.googleapis.com/oauth2/v3/certs"
)

// googleIssuerShort is Google's other spelling of its issuer.
const googleIssuerShort = "accounts.google.com"

// IsGoogleIssuer reports whether iss is one of Google's two spellings of
// its issuer.
func IsGoogleIssuer(iss string) bool {
	return iss == GoogleIssuer || iss == googleIssuerShort
}

// Defaults of Options.
const (
	// DefaultSkew is the clock skew allowed on "exp", "iat" and "nbf", as
	// Python oauth2client's CLOCK_SKEW_SECS.
	DefaultSkew = 300 * time.Second
	// MaxTokenSize bounds the length of a token Verify reads.
	MaxTokenSize = jose.MaxCompactSize
)

// DefaultAlgorithms are the signing algorithms allowed when
// Options.Algorithms is empty.
var DefaultAlgorithms = []string{jose.RS256, jose.ES256}

// Options configure a [Verifier]. Zero values mean the defaults.
type Options struct {
	// Issuer is the expected "iss". Required.
	Issuer string
	// Audiences are the client IDs accepted in "aud": the token's must
	// contain at least one. Required.
	Audiences []string
	// JWKSURL is the issuer's JWK set URI (its discovery "jwks_uri"):
	// https, or http on a loopback host. Empty with Keys nil means
	// GoogleCertsURL for Google's issuer, and is an error otherwise.
	JWKSURL string
	// Keys, if set, are the issuer's keys by key id, used instead of
	// fetching JWKSURL: *rsa.PublicKey, *ecdsa.PublicKey or
	// ed25519.PublicKey.
	Keys map[string]crypto.PublicKey
	// Algorithms are the allowed "alg" values; empty means
	// DefaultAlgorithms (RS256, ES256). "none" and HS* are never allowed.
	Algorithms []string
	// Skew is the clock skew allowed; zero means DefaultSkew, negative
	// means none.
	Skew time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// HTTPClient fetches the key set (and the discovery document in
	// NewFromDiscovery); nil means a client with timeouts. Redirects are
	// never followed.
	HTTPClient *http.Client
	// RefetchInterval is the least time between two key set fetches caused
	// by unknown key ids; zero means 10 s.
	RefetchInterval time.Duration
	// Logger receives debug records of key set fetches; nil means none.
	Logger *slog.Logger
}

// Verifier verifies ID tokens of one issuer for a set of audiences. It is
// safe for concurrent use; its key set is fetched once and shared.
type Verifier struct {
	issuers   []string
	audiences []string
	algs      []string
	skew      time.Duration
	now       func() time.Time
	keys      keySource
}

// keySource yields the issuer's key set, refetched when kid is unknown.
type keySource interface {
	KeysFor(ctx context.Context, kid string) (*jose.KeySet, error)
}

// staticKeys is a fixed key set.
type staticKeys struct{ set *jose.KeySet }

func (s staticKeys) KeysFor(context.Context, string) (*jose.KeySet, error) { return s.set, nil }

// New returns a verifier for o, which it copies. Nothing is fetched yet.
func New(o *Options) (*Verifier, error) {
	if o == nil {
		return nil, errors.New("idtoken: nil Options")
	}
	if o.Issuer == "" {
		return nil, errors.New("idtoken: Options.Issuer is empty")
	}
	if len(o.Audiences) == 0 || slices.Contains(o.Audiences, "") {
		return nil, errors.New("idtoken: Options.Audiences is empty or holds an empty string")
	}
	v := &Verifier{
		issuers:   []string{o.Issuer},
		audiences: slices.Clone(o.Audiences),
		algs:      slices.Clone(o.Algorithms),
		skew:      o.Skew,
		now:       o.Now,
	}
	if IsGoogleIssuer(o.Issuer) {
		v.issuers = []string{GoogleIssuer, googleIssuerShort}
	}
	if len(v.algs) == 0 {
		v.algs = slices.Clone(DefaultAlgorithms)
	}
	for _, a := range v.algs {
		if !jose.Asymmetric(a) {
			return nil, fmt.Errorf("idtoken: Options.Algorithms: %w: %q", ErrAlgNotAllowed, urlpolicy.Clip(a, 32))
		}
	}
	if v.skew == 0 {
		v.skew = DefaultSkew
	} else if v.skew < 0 {
		v.skew = 0
	}
	if v.now == nil {
		v.now = time.Now
	}
	switch {
	case o.Keys != nil:
		keys := make([]jose.Key, 0, len(o.Keys))
		for kid, pub := range o.Keys {
			keys = append(keys, jose.Key{KID: kid, Public: pub})
		}
		set, err := jose.NewKeySet(keys...)
		if err != nil {
			return nil, fmt.Errorf("idtoken: Options.Keys: %w", err)
		}
		v.keys = staticKeys{set}
	default:
		u := o.JWKSURL
		if u == "" && len(v.issuers) == 2 {
			u = GoogleCertsURL
		}
		if u == "" {
			return nil, errors.New("idtoken: Options.JWKSURL is empty and Options.Keys is nil")
		}
		if err := urlpolicy.CheckEndpoint(u); err != nil {
			return nil, fmt.Errorf("idtoken: Options.JWKSURL: %w", err)
		}
		c, err := jwks.New(jwks.Options{URL: u, Client: o.HTTPClient, RefetchInterval: o.RefetchInterval, Now: o.Now, Logger: o.Logger})
		if err != nil {
			return nil, fmt.Errorf("idtoken: %w", err)
		}
		v.keys = c
	}
	return v, nil
}

// NewFromDiscovery discovers issuer's metadata (oauth2client.Discover) and
// returns a verifier using its "jwks_uri"; o (which may be nil) supplies
// the audiences and other options, its Issuer and JWKSURL being set from
// the discovery.
func NewFromDiscovery(ctx context.Context, issuer string, o *Options) (*Verifier, error) {
	var oo Options
	if o != nil {
		oo = *o
	}
	ep, err := oauth2client.Discover(ctx, issuer, &oauth2client.DiscoverOptions{HTTPClient: oo.HTTPClient, Logger: oo.Logger})
	if err != nil {
		return nil, fmt.Errorf("idtoken: %w", err)
	}
	if ep.JWKSURL == "" {
		return nil, fmt.Errorf("idtoken: the issuer's metadata names no jwks_uri")
	}
	oo.Issuer, oo.JWKSURL, oo.Keys = ep.Issuer, ep.JWKSURL, nil
	if oo.Issuer == "" {
		oo.Issuer = issuer
	}
	return New(&oo)
}

// VerifyOption is a per-call option of [Verifier.Verify].
type VerifyOption interface{ apply(*verifyOpts) }

type verifyOpts struct{ nonce, accessToken string }

type optFunc func(*verifyOpts)

func (f optFunc) apply(o *verifyOpts) { f(o) }

// WithNonce makes Verify require a "nonce" claim equal to nonce (the one
// sent in the authorization request, OpenID Connect Core §3.1.2.1). An
// empty nonce checks nothing.
func WithNonce(nonce string) VerifyOption { return optFunc(func(o *verifyOpts) { o.nonce = nonce }) }

// WithAccessToken makes Verify check the token's "at_hash", when it has
// one, against accessToken (OpenID Connect Core §3.1.3.8, §3.2.2.9).
func WithAccessToken(accessToken string) VerifyOption {
	return optFunc(func(o *verifyOpts) { o.accessToken = accessToken })
}

// Verify checks raw's signature against the issuer's keys and its claims
// ("iss", "aud", "azp" when several audiences, "exp", "iat", "nbf", and
// nonce and "at_hash" as opts ask), and returns its claims. A failure
// wraps one of the package's sentinel errors.
func (v *Verifier) Verify(ctx context.Context, raw string, opts ...VerifyOption) (*Claims, error) {
	var vo verifyOpts
	for _, o := range opts {
		o.apply(&vo)
	}
	if len(raw) > MaxTokenSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), MaxTokenSize)
	}
	jws, err := jose.Parse(raw, v.algs)
	if err != nil {
		return nil, joseErr(err)
	}
	set, err := v.keys.KeysFor(ctx, jws.Header.KID)
	if err != nil {
		return nil, joseErr(err)
	}
	payload, err := jws.Verify(set)
	if err != nil {
		return nil, joseErr(err)
	}
	var w wireClaims
	if err := json.Unmarshal(payload, &w); err != nil {
		return nil, fmt.Errorf("%w: claims: %v", ErrMalformed, err)
	}
	c := &Claims{
		Issuer: w.Iss, Subject: w.Sub, Audience: w.Aud, AuthorizedParty: w.Azp,
		Nonce: w.Nonce, AccessTokenHash: w.AtHash, Email: w.Email, EmailVerified: bool(w.EmailVerified),
		KeyID: jws.Header.KID, Algorithm: jws.Header.Alg, payload: payload,
	}
	if err := v.check(&w, c, &vo); err != nil {
		return nil, err
	}
	return c, nil
}

// check verifies the claims of a token whose signature is good.
func (v *Verifier) check(w *wireClaims, c *Claims, vo *verifyOpts) error {
	if w.Exp == nil || w.Iat == nil || w.Sub == "" {
		return fmt.Errorf("%w: exp, iat or sub missing", ErrMalformed)
	}
	c.Expiry, c.IssuedAt = w.Exp.t, w.Iat.t
	if w.Nbf != nil {
		c.NotBefore = w.Nbf.t
	}
	if !slices.Contains(v.issuers, w.Iss) {
		return fmt.Errorf("%w: %q", ErrIssuer, urlpolicy.Clip(w.Iss, 200))
	}
	if !slices.ContainsFunc(w.Aud, func(a string) bool { return slices.Contains(v.audiences, a) }) {
		return fmt.Errorf("%w: aud %q", ErrAudience, urlpolicy.Clip(fmt.Sprint([]string(w.Aud)), 200))
	}
	if len(w.Aud) > 1 && !slices.Contains(v.audiences, w.Azp) {
		return fmt.Errorf("%w: several audiences and azp %q is not an expected one", ErrAudience, urlpolicy.Clip(w.Azp, 200))
	}
	now := v.now()
	if now.After(c.Expiry.Add(v.skew)) {
		return fmt.Errorf("%w: at %s (now %s)", ErrExpired, c.Expiry.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if c.IssuedAt.After(now.Add(v.skew)) {
		return fmt.Errorf("%w: issued at %s (now %s)", ErrNotYetValid, c.IssuedAt.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if w.Nbf != nil && c.NotBefore.After(now.Add(v.skew)) {
		return fmt.Errorf("%w: not before %s (now %s)", ErrNotYetValid, c.NotBefore.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if vo.nonce != "" && subtle.ConstantTimeCompare([]byte(vo.nonce), []byte(w.Nonce)) != 1 {
		return ErrNonce
	}
	if vo.accessToken != "" && w.AtHash != "" {
		want, ok := atHash(c.Algorithm, vo.accessToken)
		if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(w.AtHash)) != 1 {
			return ErrAtHash
		}
	}
	return nil
}

// atHash is the "at_hash" of accessToken for a token signed with alg: the
// base64url left half of its hash (OpenID Connect Core §3.1.3.6).
func atHash(alg, accessToken string) (string, bool) {
	var h hash.Hash
	switch alg {
	case jose.RS256, jose.PS256, jose.ES256:
		h = sha256.New()
	case jose.RS384, jose.PS384, jose.ES384:
		h = sha512.New384()
	case jose.RS512, jose.PS512, jose.ES512, jose.EdDSA:
		h = sha512.New()
	default:
		return "", false
	}
	h.Write([]byte(accessToken))
	sum := h.Sum(nil)
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]), true
}

// VerifyIDToken verifies raw as Verify does, requiring nonce when it is
// not empty, and returns every claim. It makes a Verifier usable as the
// root package's ID token verifier without that package importing this
// one.
func (v *Verifier) VerifyIDToken(ctx context.Context, raw, nonce string) (map[string]any, error) {
	c, err := v.Verify(ctx, raw, WithNonce(nonce))
	if err != nil {
		return nil, err
	}
	return c.Map()
}
