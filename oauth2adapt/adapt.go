package oauth2adapt

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync/atomic"

	"golang.org/x/oauth2"

	"github.com/oauth2client/oauth2client"
)

// TokenToOAuth2 converts t to an x/oauth2 token. The raw token response,
// the ID token and the scopes are kept as the token's extra fields, so
// that Extra("id_token") and Extra("scope") work. It returns nil for nil.
func TokenToOAuth2(t *oauth2client.Token) *oauth2.Token {
	if t == nil {
		return nil
	}
	o := &oauth2.Token{
		AccessToken:  t.AccessToken,
		TokenType:    t.TokenType,
		RefreshToken: t.RefreshToken,
		Expiry:       t.Expiry,
	}
	extra := make(map[string]any, len(t.Raw)+2)
	maps.Copy(extra, t.Raw)
	if t.IDToken != "" {
		extra["id_token"] = t.IDToken
	}
	if _, ok := extra["scope"]; !ok && t.Scopes != nil {
		extra["scope"] = strings.Join(t.Scopes, " ")
	}
	if len(extra) == 0 {
		return o
	}
	return o.WithExtra(extra)
}

// TokenFromOAuth2 converts an x/oauth2 token. The ID token and the scopes
// are recovered from its "id_token" and "scope" extra fields when present,
// and Raw holds those fields; x/oauth2 offers no way to list the others.
// It returns nil for nil.
func TokenFromOAuth2(o *oauth2.Token) *oauth2client.Token {
	if o == nil {
		return nil
	}
	t := &oauth2client.Token{
		AccessToken:  o.AccessToken,
		TokenType:    o.TokenType,
		RefreshToken: o.RefreshToken,
		Expiry:       o.Expiry,
	}
	if s, ok := o.Extra("id_token").(string); ok && s != "" {
		t.IDToken = s
		t.Raw = map[string]any{"id_token": s}
	}
	if s, ok := o.Extra("scope").(string); ok {
		t.Scopes = strings.Fields(s)
		if t.Raw == nil {
			t.Raw = make(map[string]any, 1)
		}
		t.Raw["scope"] = s
	}
	return t
}

// TokenSourceToOAuth2 returns an x/oauth2 token source serving src's
// tokens. Because x/oauth2's Token method has no context, src is called
// with [context.Background]; a src that may block for long should bound
// its own requests (an HTTP client with a timeout). The result is safe for
// concurrent use if src is; see the package documentation about
// oauth2.ReuseTokenSource.
func TokenSourceToOAuth2(src oauth2client.TokenSource) oauth2.TokenSource {
	if f, ok := src.(*fromOAuth2); ok {
		return f.ts // undo TokenSourceFromOAuth2
	}
	return &toOAuth2{src: src}
}

// TokenSourceFromOAuth2 returns an [oauth2client.TokenSource] serving ts's
// tokens. The context passed to its Token method is checked first but
// cannot interrupt ts. Errors from ts are wrapped, so errors.As still finds
// an *oauth2.RetrieveError.
func TokenSourceFromOAuth2(ts oauth2.TokenSource) oauth2client.TokenSource {
	if t, ok := ts.(*toOAuth2); ok {
		return t.src // undo TokenSourceToOAuth2
	}
	return &fromOAuth2{ts: ts}
}

// converted remembers the conversion of one token, so that a source that
// keeps returning the same token does not allocate a new one on every call.
type converted[From, To any] struct {
	from *From
	to   *To
}

// toOAuth2 adapts an oauth2client.TokenSource to x/oauth2.
type toOAuth2 struct {
	src  oauth2client.TokenSource
	last atomic.Pointer[converted[oauth2client.Token, oauth2.Token]]
}

// Token calls the source with context.Background and converts its token.
func (s *toOAuth2) Token() (*oauth2.Token, error) {
	t, err := s.src.Token(context.Background())
	if err != nil {
		return nil, err
	}
	if c := s.last.Load(); c != nil && c.from == t {
		return c.to, nil
	}
	o := TokenToOAuth2(t)
	s.last.Store(&converted[oauth2client.Token, oauth2.Token]{t, o})
	return o, nil
}

// fromOAuth2 adapts an x/oauth2 TokenSource to oauth2client.
type fromOAuth2 struct {
	ts   oauth2.TokenSource
	last atomic.Pointer[converted[oauth2.Token, oauth2client.Token]]
}

// Token checks ctx, calls the x/oauth2 source and converts its token.
func (s *fromOAuth2) Token(ctx context.Context) (*oauth2client.Token, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("oauth2adapt: %w", err)
	}
	o, err := s.ts.Token()
	if err != nil {
		return nil, fmt.Errorf("oauth2adapt: x/oauth2 token source: %w", err)
	}
	if o == nil {
		return nil, errors.New("oauth2adapt: x/oauth2 token source returned no token")
	}
	if c := s.last.Load(); c != nil && c.from == o {
		return c.to, nil
	}
	t := TokenFromOAuth2(o)
	s.last.Store(&converted[oauth2.Token, oauth2client.Token]{o, t})
	return t, nil
}
