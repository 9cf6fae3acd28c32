package tokenexchange

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/safefile"
)

// GrantType is the grant_type of a token exchange (RFC 8693 §2.1).
const GrantType = "urn:ietf:params:oauth:grant-type:token-exchange"

// Token type identifiers (RFC 8693 §3).
const (
	TokenTypeAccessToken  = "urn:ietf:params:oauth:token-type:access_token"
	TokenTypeRefreshToken = "urn:ietf:params:oauth:token-type:refresh_token"
	TokenTypeIDToken      = "urn:ietf:params:oauth:token-type:id_token"
	TokenTypeSAML1        = "urn:ietf:params:oauth:token-type:saml1"
	TokenTypeSAML2        = "urn:ietf:params:oauth:token-type:saml2"
	TokenTypeJWT          = "urn:ietf:params:oauth:token-type:jwt"
)

// NotApplicable is the token_type of an issued token that is not an
// access token (RFC 8693 §2.2.1).
const NotApplicable = "N_A"

// MaxTokenFileSize bounds the size of a token file; a larger file is
// refused.
const MaxTokenFileSize = 64 << 10

// ErrNoIssuedTokenType reports a token exchange answer without the
// issued_token_type that RFC 8693 §2.2.1 requires. It is returned wrapped
// together with [oauth2client.ErrMalformedResponse].
var ErrNoIssuedTokenType = errors.New("tokenexchange: answer has no issued_token_type")

// InputToken is a token given to the exchange: the subject token, or the
// actor token. Exactly one of Source and File is set.
type InputToken struct {
	// Source supplies the token: the AccessToken of its tokens, or their
	// IDToken when Type is [TokenTypeIDToken].
	Source oauth2client.TokenSource
	// File holds the token, read on each exchange (so a rotated file is
	// picked up), without surrounding white space; at most
	// MaxTokenFileSize bytes.
	File string
	// Type is the token's type identifier, e.g. [TokenTypeJWT]; empty
	// means [TokenTypeAccessToken].
	Type string
}

// Config is a token exchange.
type Config struct {
	// TokenURL is the token endpoint: https, or http on a loopback host.
	TokenURL string
	// ClientID and ClientSecret authenticate the client as AuthStyle
	// says; both may be empty, for a server that wants no client
	// authentication.
	ClientID, ClientSecret string
	// AuthStyle is how the client authenticates; see
	// [oauth2client.AuthStyle].
	AuthStyle oauth2client.AuthStyle
	// ClientAuth, when set, authenticates the client instead of AuthStyle
	// and ClientSecret.
	ClientAuth oauth2client.ClientAuth
	// Subject is the token exchanged (subject_token); required.
	Subject InputToken
	// Actor, when set, is the actor token (actor_token), for delegation.
	Actor *InputToken
	// Audience are the logical names of the target services (audience).
	Audience []string
	// Resource are the URIs of the target services (resource).
	Resource []string
	// Scopes are the scopes asked for (scope).
	Scopes []string
	// RequestedTokenType is the type of token wanted
	// (requested_token_type); empty lets the server choose.
	RequestedTokenType string
	// HTTPClient sends the requests; nil means RequestToken's default.
	HTTPClient *http.Client
	// Logger receives debug records, never a token; nil means none.
	Logger *slog.Logger
	// Cache tunes the caching of the issued token; see
	// [oauth2client.CacheOptions].
	Cache oauth2client.CacheOptions
}

// Source is a token source that exchanges tokens as its [Config] says,
// caching the issued token until it is about to expire. It is safe for
// concurrent use.
type Source struct {
	cfg   Config
	cache *oauth2client.CachedSource
}

// NewSource returns a Source for cfg, which is copied. It checks cfg and
// makes no request.
func NewSource(cfg *Config) (*Source, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	s := &Source{cfg: *cfg}
	s.cfg.Audience = append([]string(nil), cfg.Audience...)
	s.cfg.Resource = append([]string(nil), cfg.Resource...)
	s.cfg.Scopes = append([]string(nil), cfg.Scopes...)
	opts := cfg.Cache
	if opts.Logger == nil {
		opts.Logger = cfg.Logger
	}
	s.cache = oauth2client.NewCachedSource(oauth2client.TokenSourceFunc(s.Exchange), nil, &opts)
	return s, nil
}

// Token returns the cached issued token, exchanging anew when it is about
// to expire.
func (s *Source) Token(ctx context.Context) (*oauth2client.Token, error) {
	return s.cache.Token(ctx)
}

// TokenRejected exchanges anew when rejected is the cached token, as
// [oauth2client.CachedSource.TokenRejected] does; [oauth2client.Transport]
// calls it after a 401.
func (s *Source) TokenRejected(ctx context.Context, rejected *oauth2client.Token) (*oauth2client.Token, error) {
	return s.cache.TokenRejected(ctx, rejected)
}

// check checks the fields of a Config.
func (c *Config) check() error {
	if c.TokenURL == "" {
		return errors.New("tokenexchange: Config.TokenURL is empty")
	}
	if err := c.Subject.check("Subject"); err != nil {
		return err
	}
	if c.Actor != nil {
		return c.Actor.check("Actor")
	}
	return nil
}

// check checks an InputToken named field.
func (t *InputToken) check(field string) error {
	if (t.Source == nil) == (t.File == "") {
		return fmt.Errorf("tokenexchange: Config.%s: set exactly one of Source and File", field)
	}
	return nil
}

// Exchange makes one exchange, bypassing the cache: it reads the subject
// (and actor) token and asks the token endpoint for a new token. A
// refusal is an [*oauth2client.Error] carrying the server's error code
// (e.g. "invalid_target", RFC 8693 §2.2.2).
func (s *Source) Exchange(ctx context.Context) (*oauth2client.Token, error) {
	c := &s.cfg
	form := url.Values{"grant_type": {GrantType}}
	if err := c.Subject.add(ctx, form, "subject"); err != nil {
		return nil, err
	}
	if c.Actor != nil {
		if err := c.Actor.add(ctx, form, "actor"); err != nil {
			return nil, err
		}
	}
	for _, a := range c.Audience {
		form.Add("audience", a)
	}
	for _, r := range c.Resource {
		form.Add("resource", r)
	}
	if len(c.Scopes) > 0 {
		form.Set("scope", strings.Join(c.Scopes, " "))
	}
	if c.RequestedTokenType != "" {
		form.Set("requested_token_type", c.RequestedTokenType)
	}
	tok, err := oauth2client.RequestToken(ctx, &oauth2client.TokenRequest{
		URL: c.TokenURL, Params: form,
		ClientID: c.ClientID, ClientSecret: c.ClientSecret,
		AuthStyle: c.AuthStyle, ClientAuth: c.ClientAuth,
		HTTPClient: c.HTTPClient, Logger: c.Logger,
		TokenTypes: []string{NotApplicable},
	})
	if err != nil {
		return nil, err
	}
	if IssuedTokenType(tok) == "" {
		return nil, fmt.Errorf("%w (RFC 8693 §2.2.1): %w", ErrNoIssuedTokenType, oauth2client.ErrMalformedResponse)
	}
	return tok, nil
}

// add adds the token and its type to form as NAME_token and
// NAME_token_type.
func (t *InputToken) add(ctx context.Context, form url.Values, name string) error {
	tok, err := t.read(ctx, name)
	if err != nil {
		return err
	}
	typ := t.Type
	if typ == "" {
		typ = TokenTypeAccessToken
	}
	form.Set(name+"_token", tok)
	form.Set(name+"_token_type", typ)
	return nil
}

// read returns the token, named name in errors.
func (t *InputToken) read(ctx context.Context, name string) (string, error) {
	if t.Source != nil {
		tok, err := t.Source.Token(ctx)
		if err != nil {
			return "", fmt.Errorf("tokenexchange: %s token: %w", name, err)
		}
		v := ""
		if tok != nil && t.Type == TokenTypeIDToken {
			v = tok.IDToken
		} else if tok != nil {
			v = tok.AccessToken
		}
		if v == "" {
			return "", fmt.Errorf("tokenexchange: %s token: the source gave no token", name)
		}
		return v, nil
	}
	b, err := safefile.ReadFile(t.File, MaxTokenFileSize)
	if err != nil {
		return "", fmt.Errorf("tokenexchange: %s token file: %w", name, err)
	}
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "", fmt.Errorf("tokenexchange: %s token file %s is empty", name, t.File)
	}
	return string(b), nil
}

// IssuedTokenType returns the issued_token_type of a token obtained by
// exchange (RFC 8693 §2.2.1), e.g. [TokenTypeAccessToken], or "" when the
// token's response has none.
func IssuedTokenType(tok *oauth2client.Token) string {
	s, _ := tok.Extra("issued_token_type").(string)
	return s
}
