// Package clientcredentials implements the client credentials grant
// (RFC 6749 §4.4): a client obtains tokens for itself, with its own
// credentials and no user. [Config.TokenSource] returns a cached source
// that refreshes in the background before expiry, so that callers under
// load never wait on the token endpoint and a token lifetime costs one
// request, not one per caller.
package clientcredentials

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
)

// Config describes a client that obtains tokens with its own credentials.
// A Config must not be changed while its token sources are in use.
type Config struct {
	// TokenURL is the token endpoint: https, or http on a loopback host.
	TokenURL string
	// ClientID identifies the client.
	ClientID string
	// ClientSecret and AuthStyle authenticate the client when ClientAuth
	// is nil; see [oauth2client.AuthStyle].
	ClientSecret string
	AuthStyle    oauth2client.AuthStyle
	// ClientAuth, when set, authenticates the client instead, e.g. a
	// clientauth.PrivateKeyJWT.
	ClientAuth oauth2client.ClientAuth
	// ProofBinder, when set, binds the token requests and tokens to a key,
	// e.g. a *dpop.Prover for DPoP-bound tokens (RFC 9449); nil means
	// bearer tokens. [Config.Client] sends its proofs with every request.
	ProofBinder oauth2client.ProofBinder
	// Scopes are the requested scopes, sent space-separated as "scope".
	Scopes []string
	// Audience, when set, is sent as "audience", the parameter many
	// servers (Auth0, Okta, RFC 8693-style STSs) use to name the API.
	Audience string
	// Resources are the target resources, each sent as a "resource"
	// parameter (RFC 8707 §2): absolute URIs without a fragment.
	Resources []string
	// Params are further token request parameters; they cannot replace
	// grant_type, scope, audience or resource.
	Params url.Values
	// HTTPClient sends the requests; nil means the defaults of
	// [oauth2client.TokenRequest].
	HTTPClient *http.Client
	// UserAgent, when set, is sent as the User-Agent header.
	UserAgent string
	// Retry tunes the retries of each request.
	Retry oauth2client.RetryOptions
	// Logger receives debug records, never a secret; nil means none.
	Logger *slog.Logger
	// Cache tunes the cache of TokenSource; nil means its defaults.
	Cache *oauth2client.CacheOptions
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// reserved are the parameters Config sets itself.
var reserved = []string{"grant_type", "scope", "audience", "resource"}

// Token requests a new token from the token endpoint, uncached. Most
// programs want [Config.TokenSource].
func (c *Config) Token(ctx context.Context) (*oauth2client.Token, error) {
	params, err := c.params()
	if err != nil {
		return nil, err
	}
	return oauth2client.RequestToken(ctx, &oauth2client.TokenRequest{
		URL: c.TokenURL, Params: params,
		ClientID: c.ClientID, ClientSecret: c.ClientSecret, AuthStyle: c.AuthStyle, ClientAuth: c.ClientAuth,
		ProofBinder: c.ProofBinder,
		UserAgent:   c.UserAgent, HTTPClient: c.HTTPClient, Retry: c.Retry, Logger: c.Logger, Now: c.Now,
	})
}

// TokenSource returns a cached token source over [Config.Token]: tokens
// are served from memory, refreshed once in the background when stale,
// and shared by all callers (see [oauth2client.CachedSource]).
func (c *Config) TokenSource() *oauth2client.CachedSource {
	opts := oauth2client.CacheOptions{}
	if c.Cache != nil {
		opts = *c.Cache
	}
	if opts.Now == nil {
		opts.Now = c.Now
	}
	if opts.Logger == nil {
		opts.Logger = c.Logger
	}
	return oauth2client.NewCachedSource(oauth2client.TokenSourceFunc(c.Token), nil, &opts)
}

// Client returns an HTTP client that authorizes its requests with the
// tokens of [Config.TokenSource]; base may be nil.
func (c *Config) Client(base *http.Client) *http.Client {
	client := oauth2client.NewClient(c.TokenSource(), base)
	client.Transport.(*oauth2client.Transport).ProofBinder = c.ProofBinder
	return client
}

// params builds the token request's form.
func (c *Config) params() (url.Values, error) {
	if c.ClientID == "" {
		return nil, errors.New("clientcredentials: Config.ClientID is empty")
	}
	p := url.Values{}
	for k, vs := range c.Params {
		if slices.Contains(reserved, k) {
			return nil, fmt.Errorf("clientcredentials: Config.Params sets %q, which Config sets itself", k)
		}
		p[k] = append([]string(nil), vs...)
	}
	p.Set("grant_type", "client_credentials")
	if len(c.Scopes) > 0 {
		p.Set("scope", strings.Join(c.Scopes, " "))
	}
	if c.Audience != "" {
		p.Set("audience", c.Audience)
	}
	for i, r := range c.Resources {
		u, err := url.Parse(r)
		if err != nil || !u.IsAbs() || strings.ContainsRune(r, '#') {
			return nil, fmt.Errorf("clientcredentials: Config.Resources[%d] is not an absolute URI without a fragment (RFC 8707 §2)", i)
		}
		p.Add("resource", r)
	}
	return p, nil
}
