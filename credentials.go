package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
)

// CredentialsConfig describes the client and endpoints behind [Credentials].
type CredentialsConfig struct {
	// ClientID and ClientSecret identify the client at the token endpoint.
	ClientID, ClientSecret string
	// TokenURI is the token endpoint, used to refresh.
	TokenURI string
	// RevokeURI is the RFC 7009 revocation endpoint, if any.
	RevokeURI string
	// TokenInfoURI is a Google-style token-info endpoint, asked with
	// GET ?access_token=... which scopes a token has; see
	// [Credentials.RetrieveScopes].
	TokenInfoURI string
	// IntrospectionURI is an RFC 7662 token introspection endpoint; when
	// set, [Credentials.RetrieveScopes] uses it rather than TokenInfoURI.
	IntrospectionURI string
	// UserInfoURI is the OIDC UserInfo endpoint (OIDC Core §5.3), asked
	// by [Credentials.UserInfo]. A run-time setting: stores and JSON do
	// not keep it.
	UserInfoURI string
	// AuthStyle is how the client authenticates to the token endpoint.
	AuthStyle AuthStyle
	// UserAgent, when set, is sent with every request the credentials make.
	UserAgent string
	// Scopes are the scopes requested; [Credentials.Scopes] reports them
	// when the token response did not say which were granted.
	Scopes []string
	// HTTPClient makes token, revocation, introspection and token-info
	// requests; nil means a client with the limits [DefaultDialTimeout],
	// [DefaultTLSHandshakeTimeout], [DefaultResponseHeaderTimeout] and
	// [DefaultRequestTimeout].
	HTTPClient *http.Client
	// ClientAuth, when set, authenticates the client to the token,
	// revocation and introspection endpoints instead of AuthStyle and
	// ClientSecret; see [ClientAuth].
	ClientAuth ClientAuth
	// ProofBinder, when set, binds refresh requests and tokens to a key
	// (e.g. DPoP). See [ProofBinder]. A *dpop.Prover's key is kept with
	// the credentials' state (the extension field "dpop", see
	// [CredentialsState]), so that stores and JSON keep it. Credentials
	// made from state holding such a key sign with the stored key, to
	// which their tokens are bound, whether ProofBinder is nil or a
	// *dpop.Prover with another key: such a prover serves only
	// credentials without a stored key (new ones). Nil means the stored
	// key, if any, else bearer tokens. A [Transport] with the credentials
	// as Source and no ProofBinder uses the credentials' key too.
	// Credentials holding a DPoP token without a usable key refuse to
	// refresh (see [Credentials.CheckProofKey]).
	ProofBinder ProofBinder
	// IDTokenVerifier, when set, verifies the ID token of every refresh
	// response that carries one (without a nonce: OIDC Core §12.2), and
	// requires its "iss", "sub" and "aud" to equal those of the ID token
	// it replaces; a token that fails is a refresh error
	// ([ErrIDTokenChanged] for a changed identity) and is not used. A
	// verified token's claims are what [Credentials.IDTokenClaims]
	// returns. A run-time setting, like ClientAuth: stores do not keep it.
	IDTokenVerifier IDTokenVerifier
	// Retry tunes the retries of refresh requests; see [RetryOptions].
	Retry RetryOptions
	// Logger receives debug records of requests and retries, never a
	// secret; nil means none.
	Logger *slog.Logger
	// Cache tunes when tokens are refreshed; its zero value is sensible.
	Cache CacheOptions
	// Store, when set, binds the credentials to an entry of a store (see
	// package store) under StoreKey. A refresh takes the entry's refresh
	// lock (Store.LockRefresh), which serializes the refreshes of one key
	// across threads, processes and machines, then reads the entry in a
	// short Update: when it holds a fresher token than ours, another holder
	// refreshed first and we adopt its token without a request. Otherwise
	// the request is made holding only the refresh lock, never the file or
	// row lock, so a hung token endpoint delays no other key and no reader;
	// a second short Update then stores the new token (and a rotated
	// refresh token) before it is used, unless the entry changed meanwhile
	// (see [CredentialsStore]). Credentials found invalid are stored as
	// invalid; Revoke deletes the entry, and an entry deleted by anyone (a
	// logout) is never written back: the credentials become invalid. When
	// the store fails to write a new token, the refresh fails, and the token
	// (whose refresh token may have replaced the stored one) is kept in
	// memory and stored by the next refresh unless the entry changed
	// meanwhile.
	Store CredentialsStore
	// StoreKey names the entry in Store.
	StoreKey string
}

// CredentialsStore is the part of a credential store that bound
// [Credentials] use; every store in package store implements it.
//
// A bound refresh holds LockRefresh's lock across its token request and
// Update's lock only for the short read before it and the short write
// after it. Writers that do not take the refresh lock (Save, Python
// programs sharing a file) may change the entry while the request is in
// flight; the write after it then re-checks the entry: deleted or marked
// invalid, it is left alone; holding another refresh token than the one
// the request used (rotated by another program, or replaced by a new
// login), it wins, and its token is adopted when still valid; otherwise
// (only the access token changed) the new token is stored.
type CredentialsStore interface {
	// LockRefresh takes the exclusive refresh lock of key, which excludes
	// the refreshes of key by every holder of the store (threads,
	// processes and, for shared databases, machines) but no reader or
	// writer of the entry, and returns the function that releases it.
	// Waiting honours ctx.
	LockRefresh(ctx context.Context, key string) (unlock func(), err error)
	// Update runs fn on the entry under key inside an exclusive lock and
	// stores what fn returns; (nil, nil) leaves the entry unchanged. fn
	// sees nil when the key holds nothing.
	Update(ctx context.Context, key string, fn func(current *CredentialsState) (*CredentialsState, error)) error
	// Delete removes the entry under key.
	Delete(ctx context.Context, key string) error
}

// Credentials are user credentials (Python oauth2client's
// OAuth2Credentials): an access token, usually a refresh token, and what is
// needed to refresh and revoke them.
//
// Credentials are a [TokenSource] safe for concurrent use: Token serves the
// cached access token, refreshes it in the background shortly before it
// expires, and makes callers wait for one shared refresh only once it has
// expired. A refresh response without a refresh_token keeps the old one.
// An invalid_grant response marks the credentials invalid: later calls fail
// with [ErrInvalidCredentials] without a request.
//
// Credentials also revoke ([Credentials.Revoke]), ask which scopes they hold
// ([Credentials.RetrieveScopes]), and read and write the JSON of Python
// oauth2client ([ParseCredentialsJSON], [Credentials.MarshalJSON]).
//
// The current token is held once, by the cache ([CachedSource]); the
// fields of Credentials describe the client and the state around it.
type Credentials struct {
	cfg   CredentialsConfig
	cache *CachedSource // holds the current token

	mu         sync.Mutex      // guards the fields below
	idClaims   map[string]any  // stored ID token claims; nil: decode the token's ID token
	idVerified bool            // idClaims were verified by an IDTokenVerifier
	verifiedID verifiedIDToken // a refresh's verified ID token, for setToken
	invalid    bool
	revoked    bool // revoked: the current token is no longer shown
	listeners  []func(*Token)
	granted    []string                   // scopes from RetrieveScopes; nil if not asked
	class      pyClass                    // the Python class and module this was read as
	ext        map[string]json.RawMessage // extension fields; see CredentialsState
	unsaved    *unsavedToken              // a bound refresh's token the store failed to write
	keyErr     error                      // the ProofBinder's key cannot be kept or read; set by init
}

// NewCredentials returns credentials for cfg holding tok, which may be nil
// (the first Token call then refreshes). cfg is copied.
func NewCredentials(cfg CredentialsConfig, tok *Token) *Credentials {
	c := &Credentials{}
	c.init(cfg, tok)
	c.bindProofKey()
	return c
}

// init sets up c, which is not yet shared, for cfg and tok.
func (c *Credentials) init(cfg CredentialsConfig, tok *Token) {
	cfg.Scopes = slices.Clone(cfg.Scopes)
	c.cfg = cfg
	opts := cfg.Cache
	if opts.Logger == nil {
		opts.Logger = cfg.Logger
	}
	userHook := opts.OnToken
	opts.OnToken = func(t *Token) {
		c.setToken(t)
		if userHook != nil {
			userHook(t)
		}
	}
	c.cache = NewCachedSource(TokenSourceFunc(c.refresh), tok, &opts)
}

// WithConfig returns new credentials for cfg holding c's state: token, ID
// token claims, granted scopes, invalid flag, Python class and extension
// fields. Listeners are not carried over. cfg is copied. To give stored
// state its run-time settings, use [CredentialsState.Credentials].
func (c *Credentials) WithConfig(cfg CredentialsConfig) *Credentials {
	s := c.State()
	s.setConfig(cfg)
	return s.Credentials(cfg)
}

// Config returns a copy of the credentials' configuration.
func (c *Credentials) Config() CredentialsConfig {
	cfg := c.cfg
	cfg.Scopes = slices.Clone(cfg.Scopes)
	return cfg
}

// Token returns a valid access token, refreshing as needed.
// The returned token must not be modified.
// Invalid credentials (after invalid_grant or [Credentials.Revoke]) fail
// with [ErrInvalidCredentials].
func (c *Credentials) Token(ctx context.Context) (*Token, error) {
	if c.Invalid() {
		return nil, ErrInvalidCredentials
	}
	return c.cache.Token(ctx)
}

// TokenRejected implements [TokenRejecter]; [Transport] calls it after a
// 401. It refreshes at most once per token, as [CachedSource.TokenRejected]
// describes: not when the token was received moments ago or in answer to an
// earlier rejection, nor during the backoff after a failed refresh.
func (c *Credentials) TokenRejected(ctx context.Context, rejected *Token) (*Token, error) {
	if c.Invalid() {
		return nil, ErrInvalidCredentials
	}
	return c.cache.TokenRejected(ctx, rejected)
}

// Refresh obtains a new access token now, whatever the state of the current
// one. Concurrent calls share one request.
func (c *Credentials) Refresh(ctx context.Context) (*Token, error) {
	if c.Invalid() {
		return nil, ErrInvalidCredentials
	}
	return c.cache.Refresh(ctx)
}

// CurrentToken returns the token held now, without refreshing; nil if none.
// After [Credentials.Revoke] it holds no access or refresh token.
func (c *Credentials) CurrentToken() *Token {
	var tok *Token
	if e := c.cache.cur.Load(); e != nil {
		tok = e.tok
	}
	c.mu.Lock()
	revoked := c.revoked
	c.mu.Unlock()
	if revoked && tok != nil {
		return &Token{IDToken: tok.IDToken, Scopes: tok.Scopes}
	}
	return tok
}

// Invalid reports whether the credentials were marked invalid: the token
// endpoint answered invalid_grant, or they were revoked.
func (c *Credentials) Invalid() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.invalid
}

// OnToken registers f to be called with every new token the credentials
// obtain, after it is stored (x/oauth2 issue 84). f must not block for long,
// and must not ask c for a token: it runs inside the refresh that such a
// call could wait for. Use the token it is given: f runs before the token
// is served, so [Credentials.CurrentToken] may still return the old one.
func (c *Credentials) OnToken(f func(*Token)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listeners = append(c.listeners, f)
}

// Scopes returns the scopes the token was granted: those found by
// [Credentials.RetrieveScopes] if it was called, else those the token
// endpoint named, else the scopes requested.
func (c *Credentials) Scopes() []string {
	return slices.Clone(c.State().EffectiveScopes())
}

// HasScopes reports whether every one of scopes is among [Credentials.Scopes].
func (c *Credentials) HasScopes(scopes ...string) bool {
	have := c.Scopes()
	for _, s := range scopes {
		if !slices.Contains(have, s) {
			return false
		}
	}
	return true
}

// Client returns an *http.Client that authorizes its requests with c,
// sending them through base's transport (nil means http.DefaultClient).
func (c *Credentials) Client(base *http.Client) *http.Client {
	return NewClient(c, base)
}

// setToken is told of a new token, before the cache holds it, and tells
// the listeners.
func (c *Credentials) setToken(t *Token) {
	c.mu.Lock()
	if c.invalid {
		// Revoked while this refresh was in flight: keep the revoked state,
		// so the new tokens are neither served nor written out.
		c.mu.Unlock()
		return
	}
	// As oauth2client did: the claims follow the new token's ID token (none
	// if the response had none).
	c.idClaims, c.idVerified = nil, false
	if v := c.verifiedID; v.raw != "" && v.raw == t.IDToken {
		c.idClaims, c.idVerified = v.claims, true
	}
	c.verifiedID = verifiedIDToken{}
	if t.Scopes != nil {
		c.granted = nil // the token endpoint said which scopes it granted
	}
	ls := slices.Clone(c.listeners)
	c.mu.Unlock()
	for _, f := range ls {
		f(t)
	}
}

// refresh obtains a new access token: from the token endpoint, or through
// the bound store.
func (c *Credentials) refresh(ctx context.Context) (*Token, error) {
	if c.cfg.Store != nil {
		return c.refreshStored(ctx)
	}
	return c.refreshWith(ctx, c.CurrentToken())
}

// refreshWith asks the token endpoint for a new access token using old's
// refresh token.
func (c *Credentials) refreshWith(ctx context.Context, old *Token) (*Token, error) {
	c.mu.Lock()
	invalid := c.invalid
	c.mu.Unlock()
	if invalid {
		return nil, ErrInvalidCredentials
	}
	switch {
	case c.class.name == classAccessToken:
		return nil, fmt.Errorf("%w: access token credentials hold a token obtained elsewhere", ErrCannotRefresh)
	case old == nil || old.RefreshToken == "":
		return nil, fmt.Errorf("%w: no refresh token", ErrCannotRefresh)
	case c.cfg.TokenURI == "":
		return nil, fmt.Errorf("%w: no token URI", ErrCannotRefresh)
	}
	tok, err := c.requestRefresh(ctx, old.RefreshToken)
	if err != nil {
		if isInvalidGrant(err) {
			c.mu.Lock()
			c.invalid = true
			c.mu.Unlock()
		}
		return nil, err
	}
	if err := c.verifyRefreshed(ctx, old, tok); err != nil {
		return nil, err
	}
	if c.Invalid() { // revoked while the request was in flight
		return nil, ErrInvalidCredentials
	}
	return tok, nil
}

// requestRefresh makes an RFC 6749 §6 refresh request.
func (c *Credentials) requestRefresh(ctx context.Context, refreshToken string) (*Token, error) {
	params := map[string][]string{
		"grant_type":    {"refresh_token"},
		"refresh_token": {refreshToken},
	}
	if err := c.CheckProofKey(); err != nil {
		return nil, err
	}
	client := c.client()
	tok, err := RequestToken(ctx, client.tokenRequest(c.cfg.TokenURI, fieldTokenURI, params))
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = refreshToken
	}
	return tok, nil
}

// markRevoked marks the credentials invalid and hides their token: they
// were revoked.
func (c *Credentials) markRevoked() {
	c.mu.Lock()
	c.invalid, c.revoked = true, true
	c.mu.Unlock()
}

// isInvalidGrant reports whether err is the token endpoint's invalid_grant.
func isInvalidGrant(err error) bool {
	return errors.Is(err, ErrInvalidGrant)
}
