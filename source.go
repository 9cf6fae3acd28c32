package oauth2client

import "context"

// TokenSource supplies tokens.
//
// Token returns a token valid for use now, obtaining a new one if needed.
// Implementations are safe for concurrent use. The returned token is shared
// and must not be modified.
type TokenSource interface {
	Token(ctx context.Context) (*Token, error)
}

// TokenSourceFunc adapts a function to the [TokenSource] interface.
type TokenSourceFunc func(ctx context.Context) (*Token, error)

// Token calls f(ctx).
func (f TokenSourceFunc) Token(ctx context.Context) (*Token, error) { return f(ctx) }

// TokenRejecter is implemented by token sources that can replace a token a
// resource server rejected (HTTP 401). TokenRejected returns a token other
// than rejected, refreshing if the source still holds rejected; concurrent
// callers that report the same token share one refresh. [Transport] uses it
// to retry once after a 401.
type TokenRejecter interface {
	TokenRejected(ctx context.Context, rejected *Token) (*Token, error)
}

// StaticTokenSource returns a [TokenSource] that always returns t.
// It never refreshes; use it for tokens obtained elsewhere.
func StaticTokenSource(t *Token) TokenSource {
	return staticSource{t}
}

type staticSource struct{ t *Token }

func (s staticSource) Token(context.Context) (*Token, error) { return s.t, nil }
