package clientauth

import (
	"context"
	"fmt"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
)

// ClientSecretJWT is client_secret_jwt (OIDC Core §9): each request
// carries a fresh assertion signed with HS256 keyed by the client secret.
// It is safe for concurrent use.
type ClientSecretJWT struct {
	secret []byte
	opts   Options
}

// NewClientSecretJWT returns client_secret_jwt with secret; opts may be
// nil and is copied. A secret shorter than 32 bytes is refused: RFC 7518
// §3.2 requires an HS256 key at least as long as the hash.
func NewClientSecretJWT(secret string, opts *Options) (*ClientSecretJWT, error) {
	if len(secret) < jose.MinHMACKeyBytes {
		return nil, fmt.Errorf("clientauth: client_secret_jwt: client secret of %d bytes, HS256 needs at least %d", len(secret), jose.MinHMACKeyBytes)
	}
	a := &ClientSecretJWT{secret: []byte(secret)}
	if opts != nil {
		a.opts = *opts
	}
	return a, nil
}

// Method returns "client_secret_jwt".
func (*ClientSecretJWT) Method() string { return "client_secret_jwt" }

// String names the method, never the secret.
func (a *ClientSecretJWT) String() string { return a.Method() }

// Authenticate adds client_id, client_assertion_type and a fresh
// client_assertion to r's form.
func (a *ClientSecretJWT) Authenticate(ctx context.Context, r *oauth2client.ClientAuthRequest) error {
	return authenticate(ctx, &a.opts, r, a.Method(), func(c claims) (string, error) {
		return jose.SignHS256(a.secret, "JWT", c)
	})
}

var _ oauth2client.ClientAuth = (*ClientSecretJWT)(nil)
