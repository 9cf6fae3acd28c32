package authadapt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"strings"

	"cloud.google.com/go/auth"

	"github.com/oauth2client/oauth2client"
)

// ErrSenderConstrained is returned for a sender-constrained token: one of
// another type than Bearer (DPoP), or from a source that presents a TLS
// client certificate with its tokens (RFC 8705 certificate-bound tokens
// are of type Bearer): cloud.google.com/go/auth would send it without the
// proof or the certificate that makes it usable.
var ErrSenderConstrained = errors.New("authadapt: a sender-constrained token cannot be used through cloud.google.com/go/auth; use oauth2client's Transport")

// TokenToAuth converts t to a cloud.google.com/go/auth token. The raw token
// response becomes its Metadata, with "id_token" and "scope" set from t
// when they are known; the refresh token is left out, so that a long-lived
// secret does not spread into another library's objects. It returns nil
// for nil.
func TokenToAuth(t *oauth2client.Token) *auth.Token {
	if t == nil {
		return nil
	}
	a := &auth.Token{Value: t.AccessToken, Type: t.TokenType, Expiry: t.Expiry}
	md := make(map[string]any, len(t.Raw)+2)
	maps.Copy(md, t.Raw)
	delete(md, "refresh_token")
	if t.IDToken != "" {
		md["id_token"] = t.IDToken
	}
	if _, ok := md["scope"]; !ok && t.Scopes != nil {
		md["scope"] = strings.Join(t.Scopes, " ")
	}
	if len(md) > 0 {
		a.Metadata = md
	}
	return a
}

// TokenFromAuth converts a cloud.google.com/go/auth token. Metadata becomes
// Raw; the ID token and the scopes are read from its "id_token" and
// "scope" entries when they are strings. It returns nil for nil.
func TokenFromAuth(a *auth.Token) *oauth2client.Token {
	if a == nil {
		return nil
	}
	t := &oauth2client.Token{AccessToken: a.Value, TokenType: a.Type, Expiry: a.Expiry}
	if len(a.Metadata) > 0 {
		t.Raw = maps.Clone(a.Metadata)
	}
	if s, ok := a.Metadata["id_token"].(string); ok {
		t.IDToken = s
	}
	if s, ok := a.Metadata["scope"].(string); ok {
		t.Scopes = strings.Fields(s)
	}
	return t
}

// isBearer reports whether a token of type typ is a bearer token ("" is
// taken as Bearer, as both libraries do).
func isBearer(typ string) bool { return typ == "" || strings.EqualFold(typ, "Bearer") }

// TokenProvider returns an auth.TokenProvider serving src's tokens. src
// keeps its own caching and refresh (oauth2client's sources refresh ahead
// of expiry without stalling callers), so the provider needs no
// auth.NewCachedTokenProvider around it. A token src returns with a type
// other than Bearer fails with [ErrSenderConstrained].
// A nil src gives a provider whose Token fails.
func TokenProvider(src oauth2client.TokenSource) auth.TokenProvider {
	if f, ok := src.(fromAuth); ok {
		return f.tp // undo TokenSource
	}
	return toAuth{src}
}

// certificatePresenter is implemented by token sources whose tokens are
// bound to a TLS client certificate they present (oauth2client's
// Credentials).
type certificatePresenter interface {
	TLSCertificate() *tls.Certificate
}

// toAuth adapts an oauth2client.TokenSource to auth.TokenProvider.
type toAuth struct{ src oauth2client.TokenSource }

// Token returns the source's token, converted.
func (p toAuth) Token(ctx context.Context) (*auth.Token, error) {
	if p.src == nil {
		return nil, errors.New("authadapt: nil token source")
	}
	if c, ok := p.src.(certificatePresenter); ok && c.TLSCertificate() != nil {
		return nil, fmt.Errorf("%w (bound to a TLS client certificate)", ErrSenderConstrained)
	}
	t, err := p.src.Token(ctx)
	if err != nil {
		return nil, err
	}
	if t == nil || t.AccessToken == "" {
		return nil, errors.New("authadapt: token source returned no token")
	}
	if !isBearer(t.TokenType) {
		return nil, fmt.Errorf("%w (token type %q)", ErrSenderConstrained, t.TokenType)
	}
	return TokenToAuth(t), nil
}

// TokenSource returns an [oauth2client.TokenSource] serving tp's tokens; an
// *auth.Credentials is a TokenProvider. A nil tp gives a source whose
// Token fails. Errors from tp are returned wrapped,
// so errors.As still finds an *auth.Error.
func TokenSource(tp auth.TokenProvider) oauth2client.TokenSource {
	if t, ok := tp.(toAuth); ok {
		return t.src // undo TokenProvider
	}
	return fromAuth{tp}
}

// fromAuth adapts an auth.TokenProvider to oauth2client.TokenSource.
type fromAuth struct{ tp auth.TokenProvider }

// Token returns the provider's token, converted.
func (s fromAuth) Token(ctx context.Context) (*oauth2client.Token, error) {
	if s.tp == nil {
		return nil, errors.New("authadapt: nil token provider")
	}
	a, err := s.tp.Token(ctx)
	if err != nil {
		return nil, fmt.Errorf("authadapt: token provider: %w", err)
	}
	if a == nil || a.Value == "" {
		return nil, errors.New("authadapt: token provider returned no token")
	}
	return TokenFromAuth(a), nil
}

// CredentialsOptions are the properties of the *auth.Credentials that
// [NewCredentials] makes, beyond its tokens. Empty fields are unknown;
// Google's clients then use their defaults (no quota project, the
// googleapis.com universe).
type CredentialsOptions struct {
	// ProjectID is the project the credentials belong to.
	ProjectID string
	// QuotaProjectID is the project billed for API calls
	// (x-goog-user-project).
	QuotaProjectID string
	// UniverseDomain is the Google Cloud universe, googleapis.com unless
	// set.
	UniverseDomain string
}

// NewCredentials returns an *auth.Credentials whose tokens come from src,
// for option.WithAuthCredentials. opts may be nil.
func NewCredentials(src oauth2client.TokenSource, opts *CredentialsOptions) *auth.Credentials {
	if opts == nil {
		opts = &CredentialsOptions{}
	}
	co := &auth.CredentialsOptions{TokenProvider: TokenProvider(src)}
	if opts.ProjectID != "" {
		co.ProjectIDProvider = property(opts.ProjectID)
	}
	if opts.QuotaProjectID != "" {
		co.QuotaProjectIDProvider = property(opts.QuotaProjectID)
	}
	if opts.UniverseDomain != "" {
		co.UniverseDomainProvider = property(opts.UniverseDomain)
	}
	return auth.NewCredentials(co)
}

// property is a fixed credentials property.
func property(v string) auth.CredentialsPropertyProvider {
	return auth.CredentialsPropertyFunc(func(context.Context) (string, error) { return v, nil })
}
