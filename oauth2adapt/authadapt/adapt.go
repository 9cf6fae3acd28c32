package authadapt

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"cloud.google.com/go/auth"

	"github.com/oauth2client/oauth2client"
)

// ErrProofBound reports a token of a type other than Bearer (such as a
// DPoP-bound token), which cloud.google.com/go/auth would send without the
// proof it needs.
var ErrProofBound = errors.New("authadapt: the token is not a bearer token; cloud.google.com/go/auth cannot send it with its proof: use the credentials' own client")

// Metadata keys of an auth.Token that carry the ID token and the granted
// scopes, as in a token response.
const (
	metaIDToken = "id_token"
	metaScope   = "scope"
)

// TokenToAuth converts t to an auth.Token: the access token as its Value,
// the type as oauth2client normalises it ("Bearer"), and the ID token and
// the scopes in Metadata under "id_token" and "scope". The refresh token
// and the rest of the token response are not copied. It returns nil for
// nil.
func TokenToAuth(t *oauth2client.Token) *auth.Token {
	if t == nil {
		return nil
	}
	a := &auth.Token{Value: t.AccessToken, Type: t.Type(), Expiry: t.Expiry}
	if t.IDToken != "" || t.Scopes != nil {
		a.Metadata = make(map[string]any, 2)
		if t.IDToken != "" {
			a.Metadata[metaIDToken] = t.IDToken
		}
		if t.Scopes != nil {
			a.Metadata[metaScope] = strings.Join(t.Scopes, " ")
		}
	}
	return a
}

// TokenFromAuth converts an auth.Token: Value becomes the access token, and
// the Metadata entries "id_token" and "scope", when they are strings, the
// ID token and the scopes. It returns nil for nil.
func TokenFromAuth(a *auth.Token) *oauth2client.Token {
	if a == nil {
		return nil
	}
	t := &oauth2client.Token{AccessToken: a.Value, TokenType: a.Type, Expiry: a.Expiry}
	if s, ok := a.Metadata[metaIDToken].(string); ok {
		t.IDToken = s
	}
	if s, ok := a.Metadata[metaScope].(string); ok {
		t.Scopes = strings.Fields(s)
	}
	return t
}

// TokenProvider returns an auth.TokenProvider serving src's tokens. It is
// safe for concurrent use if src is. TokenProvider(TokenSource(p)) is p.
func TokenProvider(src oauth2client.TokenSource) auth.TokenProvider {
	if s, ok := src.(*fromAuth); ok {
		return s.tp
	}
	return &toAuth{src: src}
}

// TokenSource returns an [oauth2client.TokenSource] serving tp's tokens; tp
// may be an *auth.Credentials. TokenSource(TokenProvider(s)) is s.
func TokenSource(tp auth.TokenProvider) oauth2client.TokenSource {
	if p, ok := tp.(*toAuth); ok {
		return p.src
	}
	return &fromAuth{tp: tp}
}

// CredentialsOptions are the properties of the credentials [Credentials]
// makes, which Google Cloud clients read. The zero value leaves them to
// the clients' defaults.
type CredentialsOptions struct {
	// ProjectID is the credentials' project, for clients that need one.
	ProjectID string
	// QuotaProjectID is the project billed for the requests
	// (x-goog-user-project).
	QuotaProjectID string
	// UniverseDomain is the Google Cloud universe; empty means
	// googleapis.com.
	UniverseDomain string
}

// Credentials returns *auth.Credentials whose tokens come from src, for
// option.WithAuthCredentials; opts may be nil.
func Credentials(src oauth2client.TokenSource, opts *CredentialsOptions) *auth.Credentials {
	co := &auth.CredentialsOptions{TokenProvider: TokenProvider(src)}
	if opts != nil {
		co.ProjectIDProvider = property(opts.ProjectID)
		co.QuotaProjectIDProvider = property(opts.QuotaProjectID)
		co.UniverseDomainProvider = property(opts.UniverseDomain)
	}
	return auth.NewCredentials(co)
}

// property returns a provider of v, or nil (the default) when v is empty.
func property(v string) auth.CredentialsPropertyProvider {
	if v == "" {
		return nil
	}
	return auth.CredentialsPropertyFunc(func(context.Context) (string, error) { return v, nil })
}

// toAuth adapts an oauth2client.TokenSource to auth.TokenProvider.
type toAuth struct {
	src oauth2client.TokenSource
}

// Token calls the source with ctx and converts its token.
func (p *toAuth) Token(ctx context.Context) (*auth.Token, error) {
	t, err := p.src.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("authadapt: %w", err)
	}
	if t == nil {
		return nil, errors.New("authadapt: the token source returned no token")
	}
	if t.Type() != "Bearer" {
		return nil, fmt.Errorf("%w (type %q)", ErrProofBound, t.Type())
	}
	return TokenToAuth(t), nil
}

// fromAuth adapts an auth.TokenProvider to oauth2client.TokenSource.
type fromAuth struct {
	tp auth.TokenProvider
}

// Token calls the provider with ctx and converts its token.
func (s *fromAuth) Token(ctx context.Context) (*oauth2client.Token, error) {
	a, err := s.tp.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("authadapt: %w", err)
	}
	if a == nil {
		return nil, errors.New("authadapt: the token provider returned no token")
	}
	return TokenFromAuth(a), nil
}
