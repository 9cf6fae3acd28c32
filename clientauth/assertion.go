package clientauth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/oauth2client/oauth2client"
)

// AssertionType is the client_assertion_type of a JWT client assertion
// (RFC 7523 §2.2).
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// DefaultLifetime is how long an assertion is valid when Options.Lifetime
// is zero.
const DefaultLifetime = 60 * time.Second

// ErrNoClientID reports a request to authenticate without a client id,
// which an assertion needs as its "iss" and "sub".
var ErrNoClientID = errors.New("clientauth: no client id")

// Audience says what an assertion's "aud" is.
type Audience int

const (
	// AudienceIssuer is the issuer when the request knows it, else the
	// endpoint's URL (RFC 7523 §3 allows either; OIDC Core §9 and
	// RFC 7523bis prefer the issuer).
	AudienceIssuer Audience = iota
	// AudienceEndpoint is always the URL of the endpoint the request goes
	// to, for servers that want the token endpoint.
	AudienceEndpoint
	// AudienceTokenEndpoint is always Options.TokenURL, even on the
	// revocation or introspection endpoint, for servers that accept only
	// their token endpoint.
	AudienceTokenEndpoint
)

// Options tunes the assertions of [PrivateKeyJWT] and [ClientSecretJWT].
// The zero value is ready to use.
type Options struct {
	// Audience chooses the "aud" claim; see [Audience].
	Audience Audience
	// TokenURL is the audience for [AudienceTokenEndpoint].
	TokenURL string
	// Lifetime is how long each assertion is valid; zero means
	// DefaultLifetime.
	Lifetime time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// claims are the claims of a client assertion (RFC 7523 §3).
type claims struct {
	Iss string `json:"iss"`
	Sub string `json:"sub"`
	Aud string `json:"aud"`
	JTI string `json:"jti"`
	Exp int64  `json:"exp"`
	IAT int64  `json:"iat"`
}

// newClaims returns fresh claims for r, with a random 128-bit jti.
func (o *Options) newClaims(r *oauth2client.ClientAuthRequest) (claims, error) {
	if r.ClientID == "" {
		return claims{}, ErrNoClientID
	}
	aud := r.URL
	switch o.Audience {
	case AudienceIssuer:
		if r.Issuer != "" {
			aud = r.Issuer
		}
	case AudienceTokenEndpoint:
		if o.TokenURL == "" {
			return claims{}, errors.New("clientauth: Options.TokenURL is empty for AudienceTokenEndpoint")
		}
		aud = o.TokenURL
	}
	if aud == "" {
		return claims{}, fmt.Errorf("clientauth: no audience for the %s endpoint", r.Endpoint)
	}
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, go1.24+)
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	life := o.Lifetime
	if life <= 0 {
		life = DefaultLifetime
	}
	t := now()
	return claims{
		Iss: r.ClientID, Sub: r.ClientID, Aud: aud,
		JTI: base64.RawURLEncoding.EncodeToString(b[:]),
		IAT: t.Unix(), Exp: t.Add(life).Unix(),
	}, nil
}

// authenticate signs fresh claims with sign and adds the assertion and
// client_id to r's form.
func authenticate(_ context.Context, o *Options, r *oauth2client.ClientAuthRequest, method string, sign func(claims) (string, error)) error {
	c, err := o.newClaims(r)
	if err != nil {
		return err
	}
	jwt, err := sign(c)
	if err != nil {
		return fmt.Errorf("clientauth: %s: %w", method, err)
	}
	r.Form.Set("client_id", r.ClientID)
	r.Form.Set("client_assertion_type", AssertionType)
	r.Form.Set("client_assertion", jwt)
	return nil
}
