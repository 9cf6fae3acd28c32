package dpop

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
)

// TokenType is the token_type of DPoP-bound tokens (RFC 9449 §5).
const TokenType = "DPoP"

// ProofType is the "typ" header of DPoP proofs (RFC 9449 §4.2).
const ProofType = "dpop+jwt"

// NonceHeader is the header a server sends its nonce in (RFC 9449 §8).
const NonceHeader = "DPoP-Nonce"

// errBadURL reports a request URL a proof cannot name.
var errBadURL = errors.New("dpop: bad request URL")

// Options tune a [Prover]. The zero value (or nil) is ready to use.
type Options struct {
	// Now returns the time for the proofs' "iat"; nil means time.Now.
	Now func() time.Time
}

// Prover signs DPoP proofs with one key and remembers server nonces per
// origin. It implements oauth2client.ProofBinder and is safe for
// concurrent use.
type Prover struct {
	key    crypto.Signer
	signer *jose.EmbeddedSigner
	jkt    string
	now    func() time.Time

	mu     sync.Mutex
	nonces map[string]string // origin → latest DPoP-Nonce
}

var _ oauth2client.ProofBinder = (*Prover)(nil)

// NewProver returns a Prover signing with key: a P-256 ECDSA key (ES256),
// an RSA key of at least 2048 bits (RS256) or an Ed25519 key (EdDSA). A
// nil key means a new P-256 key, generated here.
func NewProver(key crypto.Signer, opts *Options) (*Prover, error) {
	if key == nil {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("dpop: generating key: %w", err)
		}
		key = k
	}
	signer, err := jose.NewEmbeddedSigner(key, ProofType)
	if err != nil {
		return nil, fmt.Errorf("dpop: key: %w", err)
	}
	jkt, err := jose.Thumbprint(key.Public())
	if err != nil {
		return nil, fmt.Errorf("dpop: key: %w", err)
	}
	p := &Prover{key: key, signer: signer, jkt: jkt, now: time.Now, nonces: map[string]string{}}
	if opts != nil && opts.Now != nil {
		p.now = opts.Now
	}
	return p, nil
}

// Key returns the Prover's private key, e.g. to store it with the
// credentials it binds.
func (p *Prover) Key() crypto.Signer { return p.key }

// JKT returns the RFC 7638 thumbprint of the Prover's public key: the
// "jkt" of the tokens bound to it (RFC 9449 §6.1) and the "dpop_jkt" of
// an authorization request (§10).
func (p *Prover) JKT() string { return p.jkt }

// TokenType returns "DPoP".
func (p *Prover) TokenType() string { return TokenType }

// claims are a DPoP proof's claims (RFC 9449 §4.2).
type claims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath,omitempty"`
	Nonce string `json:"nonce,omitempty"`
}

// Proof returns a DPoP proof for a request with method to rawURL, with
// "ath" when accessToken is not empty and the nonce last given by the
// URL's origin, if any.
func (p *Prover) Proof(method, rawURL, accessToken string) (string, error) {
	htu, origin, err := target(rawURL)
	if err != nil {
		return "", err
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("dpop: jti: %w", err)
	}
	c := claims{
		JTI: base64.RawURLEncoding.EncodeToString(id[:]),
		HTM: method, HTU: htu, IAT: p.now().Unix(),
		Nonce: p.nonce(origin),
	}
	if accessToken != "" {
		c.ATH = AccessTokenHash(accessToken)
	}
	proof, err := p.signer.Sign(c)
	if err != nil {
		return "", fmt.Errorf("dpop: signing proof: %w", err)
	}
	return proof, nil
}

// BindRequest sets r's DPoP header to a fresh proof.
func (p *Prover) BindRequest(_ context.Context, r *oauth2client.ProofRequest) error {
	proof, err := p.Proof(r.Method, r.URL, r.AccessToken)
	if err != nil {
		return err
	}
	r.Header.Set("DPoP", proof)
	return nil
}

// NonceRetry remembers the DPoP-Nonce of a's header for a's origin, and
// reports whether a asks for a retry with it: a token endpoint's
// "use_dpop_nonce" error, or a resource server's 401 with
// WWW-Authenticate: DPoP error="use_dpop_nonce" (RFC 9449 §8, §9).
func (p *Prover) NonceRetry(a *oauth2client.ProofAnswer) bool {
	n := a.Header.Get(NonceHeader)
	if n == "" {
		return false
	}
	_, origin, err := target(a.URL)
	if err != nil {
		return false
	}
	p.mu.Lock()
	p.nonces[origin] = n
	p.mu.Unlock()
	if a.ErrorCode == "use_dpop_nonce" {
		return true
	}
	return a.StatusCode == http.StatusUnauthorized && asksNonce(a.Header.Values("WWW-Authenticate"))
}

// asksNonce reports whether a WWW-Authenticate header names the DPoP
// scheme with error "use_dpop_nonce".
func asksNonce(values []string) bool {
	for _, v := range values {
		scheme, rest, _ := strings.Cut(strings.TrimSpace(v), " ")
		if strings.EqualFold(scheme, "DPoP") && strings.Contains(rest, `error="use_dpop_nonce"`) {
			return true
		}
	}
	return false
}

func (p *Prover) nonce(origin string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nonces[origin]
}

// AccessTokenHash returns the "ath" of token: the base64url (unpadded)
// SHA-256 of its ASCII bytes (RFC 9449 §4.2).
func AccessTokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// target returns the "htu" of rawURL (without query and fragment) and its
// origin.
func target(rawURL string) (htu, origin string, err error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return "", "", fmt.Errorf("%w: not an absolute URL", errBadURL)
	}
	origin = strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host)
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	u.User = nil
	return u.String(), origin, nil
}
