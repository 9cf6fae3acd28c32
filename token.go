package oauth2client

import (
	"net/http"
	"strings"
	"time"
)

// Token is an access token with what the token endpoint said about it.
//
// A Token returned by a [TokenSource] is shared between callers and must not
// be modified; copy it first (see [Token.Clone]).
type Token struct {
	// AccessToken is the token sent to resource servers.
	AccessToken string
	// TokenType is the token type from the response, e.g. "Bearer".
	// An empty TokenType is treated as "Bearer".
	TokenType string
	// RefreshToken, when set, obtains new access tokens (RFC 6749 §6).
	RefreshToken string
	// Expiry is when the access token expires. The zero value means the
	// token does not expire, or its lifetime is unknown.
	Expiry time.Time
	// IDToken is the raw OpenID Connect ID token, if one was returned.
	// It is not verified here; see package idtoken.
	IDToken string
	// Scopes are the scopes granted, from the response's "scope" field.
	// Nil means the server did not say (RFC 6749 §5.1: then they equal the
	// scopes requested).
	Scopes []string
	// Raw is the complete decoded token response, for fields this type does
	// not name. It may be nil.
	Raw map[string]any
}

// Type returns the token type to use in an Authorization header,
// normalizing the case of the common types ("bearer" becomes "Bearer").
func (t *Token) Type() string {
	switch {
	case t.TokenType == "", strings.EqualFold(t.TokenType, "bearer"):
		return "Bearer"
	case strings.EqualFold(t.TokenType, "mac"):
		return "MAC"
	case strings.EqualFold(t.TokenType, "basic"):
		return "Basic"
	}
	return t.TokenType
}

// SetAuthHeader sets the Authorization header of r to the token.
func (t *Token) SetAuthHeader(r *http.Request) {
	r.Header.Set("Authorization", t.Type()+" "+t.AccessToken)
}

// ExpiresWithin reports whether the token has no access token or expires
// within d of now. A token without an expiry never expires.
func (t *Token) ExpiresWithin(now time.Time, d time.Duration) bool {
	if t == nil || t.AccessToken == "" {
		return true
	}
	if t.Expiry.IsZero() {
		return false
	}
	return !now.Add(d).Before(t.Expiry)
}

// Valid reports whether t holds an access token that has not expired at now.
func (t *Token) Valid(now time.Time) bool {
	return !t.ExpiresWithin(now, 0)
}

// Extra returns the named field of the raw token response, or nil.
func (t *Token) Extra(name string) any {
	if t == nil || t.Raw == nil {
		return nil
	}
	return t.Raw[name]
}

// Clone returns a deep copy of t that the caller may modify.
func (t *Token) Clone() *Token {
	if t == nil {
		return nil
	}
	c := *t
	if t.Scopes != nil {
		c.Scopes = append([]string(nil), t.Scopes...)
	}
	if t.Raw != nil {
		c.Raw = make(map[string]any, len(t.Raw))
		for k, v := range t.Raw {
			c.Raw[k] = v
		}
	}
	return &c
}
