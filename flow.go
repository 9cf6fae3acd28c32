package oauth2client

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Config configures a [Flow]: the client, the authorization server, and
// what to ask for. Its zero values are the defaults. [ClientSecrets.Config]
// fills one from a client_secrets.json file.
type Config struct {
	// ClientID identifies the client. Required.
	ClientID string
	// ClientSecret authenticates the client; empty for a public client.
	ClientSecret string
	// Endpoint is the authorization server; AuthURL and TokenURL are
	// required. See [Discover] and [GoogleEndpoint].
	Endpoint Endpoint
	// RedirectURL is where the authorization server sends the user back
	// (RFC 6749 §3.1.2). Empty means none is sent, which only servers with
	// a single registered redirect URI accept; [WithRedirectURL] sets one
	// per authorization.
	RedirectURL string
	// Scopes are the scopes to request (RFC 6749 §3.3).
	Scopes []string
	// AuthStyle is how the client authenticates to the token endpoint.
	// [AuthStyleAuto] decides from ClientSecret and
	// Endpoint.TokenAuthMethods, without a network round trip.
	AuthStyle AuthStyle
	// UserAgent, when set, is sent as the User-Agent of token requests,
	// here and by the resulting [Credentials].
	UserAgent string
	// HTTPClient makes the requests to the authorization server, here and
	// in the resulting Credentials; nil means a client with the limits
	// [DefaultDialTimeout], [DefaultTLSHandshakeTimeout],
	// [DefaultResponseHeaderTimeout] and [DefaultRequestTimeout].
	HTTPClient *http.Client
	// InsecureSkipPKCE turns off PKCE (RFC 7636), which is on by default.
	// Only for servers that reject code_challenge parameters.
	InsecureSkipPKCE bool
	// Now is the clock; nil means time.Now. Unless Cache.Now is set, the
	// resulting Credentials use it too.
	Now func() time.Time
	// Cache tunes when the resulting Credentials refresh their tokens.
	Cache CacheOptions
	// IDTokenVerifier, if set, verifies the ID token of every token
	// response of the flow (with the authorization's nonce), and the
	// resulting Credentials' IDTokenClaims are the verified claims; an ID
	// token that fails is an error, as is none when "openid" was asked
	// for. Use an *idtoken.Verifier. The resulting Credentials verify the
	// ID tokens of their refreshes with it too (see
	// [CredentialsConfig].IDTokenVerifier). Nil means ID tokens are not
	// verified here.
	IDTokenVerifier IDTokenVerifier
	// Sleep waits between the polls of [Flow.PollDevice]: it returns after
	// d, or earlier with ctx's error when ctx is done. Nil means a real
	// timer; tests set it to return at once (and advance their clock).
	// It also waits between the retries of the flow's token requests and of
	// its credentials' refreshes, unless Retry.Sleep is set.
	Sleep func(ctx context.Context, d time.Duration) error
	// ClientAuth, when set, authenticates the client to the token, device
	// authorization, revocation and introspection endpoints instead of
	// AuthStyle and ClientSecret, here and in the resulting [Credentials].
	ClientAuth ClientAuth
	// ProofBinder, when set, binds token requests and tokens to a key
	// (e.g. DPoP), here and in the resulting Credentials; nil means
	// bearer tokens. See [ProofBinder].
	ProofBinder ProofBinder
	// DPoP asks for DPoP-bound tokens with a key the flow makes, unless
	// ProofBinder is set; see [DPoPOptions]. [NewFlow] sets ProofBinder
	// to that key's prover, which [Flow.Config] shows.
	DPoP DPoPOptions
	// Retry tunes the retries of token requests, here (the code exchange;
	// device polls pace themselves) and in the resulting Credentials; see
	// [RetryOptions].
	Retry RetryOptions
	// Logger receives debug records of requests, retries and waits,
	// never a secret, here and in the resulting Credentials; nil means
	// none.
	Logger *slog.Logger
	// PAR makes [Flow.Start] and [Flow.AuthCodeURL] push the authorization
	// parameters to Endpoint.PushedAuthURL (RFC 9126), authenticating the
	// client, and send the user to the authorization endpoint with only
	// client_id and the request_uri of the answer. The flow pushes also
	// when Endpoint.RequirePAR is set (from discovery). Either way
	// Endpoint.PushedAuthURL is required.
	PAR bool
	// RequestObjectSigner, when set, sends the authorization parameters as
	// a signed request object (RFC 9101, "request"), on its own or inside
	// a pushed request (PAR); the server must know the client's key. See
	// package requestobject.
	RequestObjectSigner RequestObjectSigner
}

// Flow is the authorization-code flow (RFC 6749 §4.1) with PKCE (RFC 7636),
// for web and installed applications (Python oauth2client's
// OAuth2WebServerFlow).
//
// A command-line program calls [Flow.AuthCodeURL], sends the user there,
// and calls [Flow.Exchange] or [Flow.ExchangeCallback] with what comes back;
// the Flow holds the pending authorization in between. A web application
// serving many users calls [Flow.Start] instead, keeps the returned
// [AuthState] (it marshals to JSON) between the redirect and the callback,
// and calls [Flow.Resume] with it to exchange. A Flow is safe for
// concurrent use.
type Flow struct {
	cfg   Config
	style AuthStyle // cfg.AuthStyle resolved

	mu      sync.Mutex // guards pending
	pending *AuthState
}

// NewFlow checks cfg and returns a flow for it. cfg is copied. When
// cfg.Endpoint.Issuer is empty and its authorization or token endpoint is
// one of Google's, the flow expects Google's issuer (see
// [Flow.ExchangeCallback]); [Flow.Config] shows it.
func NewFlow(cfg Config) (*Flow, error) {
	cfg.Scopes = slices.Clone(cfg.Scopes)
	cfg.Endpoint = cfg.Endpoint.clone()
	cfg.Endpoint.Issuer = knownIssuer(cfg.Endpoint)
	if certificateOf(cfg.ClientAuth) != nil {
		cfg.Endpoint = cfg.Endpoint.MTLS()
	}
	if cfg.Retry.Sleep == nil {
		// The flow's own requests and its credentials' refreshes wait
		// between retries as its device polls do.
		cfg.Retry.Sleep = cfg.Sleep
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := cfg.resolveDPoP(); err != nil {
		return nil, err
	}
	return &Flow{
		cfg:   cfg,
		style: cfg.AuthStyle.Resolve(cfg.ClientSecret, cfg.Endpoint.TokenAuthMethods),
	}, nil
}

// validate checks a Config for NewFlow.
func (c *Config) validate() error {
	bad := func(field, format string, args ...any) error {
		return fmt.Errorf("oauth2client: flow config: %s: "+format, append([]any{field}, args...)...)
	}
	if c.ClientID == "" {
		return bad("ClientID", "missing")
	}
	for _, f := range []struct{ name, url string }{
		{"Endpoint.AuthURL", c.Endpoint.AuthURL},
		{"Endpoint.TokenURL", c.Endpoint.TokenURL},
	} {
		if f.url == "" {
			return bad(f.name, "missing")
		}
		if err := urlpolicy.CheckEndpoint(f.url); err != nil {
			return bad(f.name, "%w", err)
		}
	}
	if err := checkRequest(c.RedirectURL, c.Scopes, "RedirectURL", "Scopes"); err != nil {
		return fmt.Errorf("oauth2client: flow config: %w", err)
	}
	if err := c.checkPAR(); err != nil {
		return fmt.Errorf("oauth2client: flow config: %w", err)
	}
	if c.AuthStyle < AuthStyleAuto || c.AuthStyle > AuthStyleNone {
		return bad("AuthStyle", "unknown style %d", int(c.AuthStyle))
	}
	if !c.InsecureSkipPKCE && len(c.Endpoint.CodeChallengeMethods) > 0 &&
		!slices.Contains(c.Endpoint.CodeChallengeMethods, "S256") {
		return bad("Endpoint.CodeChallengeMethods", "the server does not support PKCE S256; set InsecureSkipPKCE to go without PKCE")
	}
	return nil
}

// checkRequest applies the checks on a redirect URI (empty: none) and
// scopes, naming them redirectField and scopesField in its errors: the
// same for Config and for the options of one authorization.
func checkRequest(redirectURL string, scopes []string, redirectField, scopesField string) error {
	if redirectURL != "" {
		if err := checkRedirectURL(redirectURL); err != nil {
			return fmt.Errorf("%s: %w", redirectField, err)
		}
	}
	for i, s := range scopes {
		if !validScope(s) {
			return fmt.Errorf("%s[%d]: %q is not a scope token (RFC 6749 §3.3)", scopesField, i, urlpolicy.Clip(s, 64))
		}
	}
	return nil
}

// checkRedirectURL checks a redirect URI: absolute, without a fragment
// (RFC 6749 §3.1.2).
func checkRedirectURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() {
		return errors.New("not an absolute URI")
	}
	if strings.Contains(s, "#") {
		return errors.New("must not have a fragment")
	}
	return nil
}

// validScope reports whether s is a scope-token: 1*( %x21 / %x23-5B /
// %x5D-7E ) (RFC 6749 §3.3).
func validScope(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// Config returns a copy of the flow's configuration.
func (f *Flow) Config() Config {
	cfg := f.cfg
	cfg.Scopes = slices.Clone(cfg.Scopes)
	cfg.Endpoint = cfg.Endpoint.clone()
	return cfg
}

// AuthState is a pending authorization: what the client must remember
// between sending the user to the authorization endpoint and the callback.
// It marshals to JSON, so a web application can keep it in its session
// store between the redirect and the callback. It holds the PKCE verifier,
// which must stay on the server side: never put it in a cookie the user
// can read unless encrypted. It holds no client secret.
type AuthState struct {
	// URL is the authorization URL to send the user to.
	URL string `json:"url"`
	// State is the random state parameter (RFC 6749 §10.12).
	State string `json:"state"`
	// CodeVerifier is the PKCE verifier (RFC 7636); empty without PKCE.
	CodeVerifier string `json:"code_verifier,omitempty"`
	// Nonce is the OIDC nonce sent, if any; check it against the ID
	// token's "nonce" claim when verifying the ID token.
	Nonce string `json:"nonce,omitempty"`
	// RedirectURL is the redirect_uri sent, if any; the exchange sends it
	// again (RFC 6749 §4.1.3).
	RedirectURL string `json:"redirect_uri,omitempty"`
	// Scopes are the scopes requested.
	Scopes []string `json:"scopes,omitempty"`
	// Issuer is the issuer of the flow's endpoint, if known.
	Issuer string `json:"issuer,omitempty"`
	// ClientID is the client the authorization was started for.
	ClientID string `json:"client_id"`
	// Created is when the authorization started, by the flow's clock;
	// callers may refuse callbacks for old authorizations.
	Created time.Time `json:"created"`
}

// applyOptions collects what opts ask for, starting from the flow's
// redirect URL, and returns it with the scopes to request: those of
// WithScopes (or a scope SetParam) if given, else Config.Scopes.
func (f *Flow) applyOptions(opts []AuthCodeOption) (authCodeRequest, []string) {
	r := authCodeRequest{params: url.Values{}, redirectURL: f.cfg.RedirectURL}
	for _, o := range opts {
		if o != nil {
			o.applyAuthCode(&r)
		}
	}
	if r.scopes != nil {
		return r, r.scopes
	}
	return r, f.cfg.Scopes
}

// Start begins a new authorization and returns it, without the flow
// holding it: for web applications, which keep it themselves (see
// [Flow.Resume]). It draws a random state of 256 bits, a PKCE verifier
// (unless InsecureSkipPKCE) and, when "openid" is among the scopes or
// [WithNonce] is given, a nonce. When "offline_access" is among the scopes
// and no [Prompt] is given, it asks for prompt=consent (OIDC Core §11).
//
// The redirect URI and scopes of [WithRedirectURL], [WithScopes] and
// [SetParam] get the checks [NewFlow] applies to Config.RedirectURL and
// Config.Scopes; Start fails if they do not pass, or if ctx is done.
//
// With Config.PAR or Endpoint.RequirePAR, Start pushes the parameters to
// the PAR endpoint (RFC 9126) under ctx and the returned URL carries only
// client_id and request_uri; a refusal is an [*Error] with Endpoint
// "pushed authorization". The AuthState is the same either way.
func (f *Flow) Start(ctx context.Context, opts ...AuthCodeOption) (*AuthState, error) {
	if err := context.Cause(ctx); err != nil {
		return nil, fmt.Errorf("oauth2client: start authorization: %w", err)
	}
	r, scopes := f.applyOptions(opts)
	if err := checkRequest(r.redirectURL, r.scopes, "WithRedirectURL", "WithScopes"); err != nil {
		return nil, fmt.Errorf("oauth2client: start authorization: %w", err)
	}
	st := &AuthState{
		State:       randomString(32),
		RedirectURL: r.redirectURL,
		Scopes:      slices.Clone(scopes),
		Issuer:      f.cfg.Endpoint.Issuer,
		ClientID:    f.cfg.ClientID,
		Created:     f.now().UTC().Round(0), // as it reads back from JSON
	}
	q := r.params
	q.Set("response_type", "code")
	q.Set("client_id", f.cfg.ClientID)
	if st.RedirectURL != "" {
		q.Set("redirect_uri", st.RedirectURL)
	}
	if len(scopes) > 0 {
		q.Set("scope", strings.Join(scopes, " "))
	}
	q.Set("state", st.State)
	if slices.Contains(scopes, "offline_access") && !q.Has("prompt") {
		// OIDC Core §11: a request for offline_access uses prompt=consent;
		// providers (oidc-provider among them) drop the scope otherwise.
		q.Set("prompt", "consent")
	}
	if !f.cfg.InsecureSkipPKCE {
		st.CodeVerifier = GenerateVerifier()
		q.Set("code_challenge", S256Challenge(st.CodeVerifier))
		q.Set("code_challenge_method", "S256")
	}
	if jkt := f.dpopJKT(); jkt != "" {
		q.Set("dpop_jkt", jkt)
	}
	if n := q.Get("nonce"); n != "" {
		st.Nonce = n // from SetParam
	} else if r.nonce || slices.Contains(scopes, "openid") {
		st.Nonce = randomString(32)
		q.Set("nonce", st.Nonce)
	}
	if f.cfg.RequestObjectSigner != nil {
		var err error
		if q, err = f.requestObjectParams(ctx, q); err != nil {
			return nil, err
		}
	}
	if f.usePAR() {
		u, err := f.pushAuthorization(ctx, q)
		if err != nil {
			return nil, err
		}
		st.URL = u
		return st, nil
	}
	st.URL = appendQuery(f.cfg.Endpoint.AuthURL, q)
	return st, nil
}

// AuthCodeURL begins a new authorization, which the flow holds until
// [Flow.Exchange] or [Flow.ExchangeCallback] succeeds (replacing any
// authorization pending before), and returns the URL to send the user to.
// See [Flow.Start] for what it draws and checks; [Flow.Pending] returns
// it. On an error, the authorization pending before is kept.
func (f *Flow) AuthCodeURL(ctx context.Context, opts ...AuthCodeOption) (string, error) {
	st, err := f.Start(ctx, opts...)
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	f.pending = st
	f.mu.Unlock()
	return st.URL, nil
}

// Pending returns a copy of the authorization the flow holds, or nil.
func (f *Flow) Pending() *AuthState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.pending.clone()
}

// clone returns a deep copy of st.
func (st *AuthState) clone() *AuthState {
	if st == nil {
		return nil
	}
	c := *st
	c.Scopes = slices.Clone(st.Scopes)
	return &c
}

// Resume returns a flow with f's configuration that holds st as its
// pending authorization, typically one a web application kept between the
// redirect and the callback. It fails if st is malformed or was started for
// another client or issuer ([ErrIssuerMismatch]).
func (f *Flow) Resume(st *AuthState) (*Flow, error) {
	if st == nil {
		return nil, errors.New("oauth2client: resume: nil AuthState")
	}
	switch {
	case st.State == "":
		return nil, errors.New("oauth2client: resume: AuthState.State is empty")
	case st.ClientID != f.cfg.ClientID:
		return nil, errors.New("oauth2client: resume: AuthState was started for another client")
	case st.Issuer != f.cfg.Endpoint.Issuer:
		return nil, fmt.Errorf("oauth2client: resume: AuthState was started for issuer %q, not %q: %w",
			urlpolicy.Clip(st.Issuer, 200), f.cfg.Endpoint.Issuer, ErrIssuerMismatch)
	case st.CodeVerifier == "" && !f.cfg.InsecureSkipPKCE:
		return nil, errors.New("oauth2client: resume: AuthState has no PKCE code verifier")
	case st.CodeVerifier != "" && !validVerifier(st.CodeVerifier):
		return nil, errors.New("oauth2client: resume: AuthState.CodeVerifier is malformed (RFC 7636 §4.1)")
	}
	if st.RedirectURL != "" {
		if err := checkRedirectURL(st.RedirectURL); err != nil {
			return nil, fmt.Errorf("oauth2client: resume: AuthState.RedirectURL: %v", err)
		}
	}
	return &Flow{cfg: f.cfg, style: f.style, pending: st.clone()}, nil
}

// ExchangeCallback completes the pending authorization with the query of
// the request to the redirect URI (RFC 6749 §4.1.2). In order it checks:
//
//   - the RFC 9207 "iss" parameter, against mix-up attacks (RFC 9700 §4.4):
//     when the issuer is known (Endpoint.Issuer: from [Discover], from
//     Google's endpoints, from the "issuer" field of client_secrets.json,
//     or set by hand), a present iss must equal it exactly, and iss must
//     be present if Endpoint.ResponseIssParameter is set; when the issuer
//     is not known, a present iss is accepted only if it can be tied to
//     Endpoint.AuthURL: https (or http to a loopback host), the same
//     scheme, host and port, and a path that is empty or a leading run of
//     the AuthURL path's segments; any other iss is refused, with an error
//     naming the field to set. Failures wrap [ErrIssuerMismatch];
//   - the state, compared in constant time ([ErrStateMismatch]);
//   - an "error" parameter, returned as an [*AuthorizationError]
//     ([ErrAccessDenied] for access_denied);
//
// then it exchanges the code as [Flow.Exchange] does.
func (f *Flow) ExchangeCallback(ctx context.Context, query url.Values) (*Credentials, error) {
	st := f.Pending()
	if st == nil {
		return nil, errors.New("oauth2client: exchange: no pending authorization (call AuthCodeURL, or Resume)")
	}
	for _, k := range []string{"state", "code", "iss", "error", "error_description", "error_uri"} {
		if len(query[k]) > 1 {
			return nil, fmt.Errorf("oauth2client: callback: parameter %q repeated (RFC 6749 §3.1)", k)
		}
	}
	_, hasIss := query["iss"]
	if err := checkCallbackIssuer(f.cfg.Endpoint, query.Get("iss"), hasIss); err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(query.Get("state")), []byte(st.State)) != 1 {
		if query.Get("state") == "" {
			return nil, fmt.Errorf("oauth2client: callback: no state parameter: %w", ErrStateMismatch)
		}
		return nil, fmt.Errorf("oauth2client: callback: %w", ErrStateMismatch)
	}
	if query.Has("error") {
		return nil, &AuthorizationError{
			Code:        query.Get("error"),
			Description: query.Get("error_description"),
			URI:         query.Get("error_uri"),
		}
	}
	code := query.Get("code")
	if code == "" {
		return nil, errors.New("oauth2client: callback: no code parameter")
	}
	return f.exchange(ctx, code, st)
}

// Exchange trades an authorization code for credentials (RFC 6749 §4.1.3),
// sending the pending authorization's redirect URI and PKCE verifier. Use
// [Flow.ExchangeCallback] when the whole callback query is at hand: it also
// checks the state. Exchange needs a pending authorization unless
// InsecureSkipPKCE is set, in which case it sends Config.RedirectURL.
// A refusal by the token endpoint is an [*Error]; the flow keeps its
// pending authorization until an exchange succeeds.
func (f *Flow) Exchange(ctx context.Context, code string) (*Credentials, error) {
	if code == "" {
		return nil, errors.New("oauth2client: exchange: empty authorization code")
	}
	st := f.Pending()
	if st == nil {
		if !f.cfg.InsecureSkipPKCE {
			return nil, errors.New("oauth2client: exchange: no pending authorization (call AuthCodeURL, or Resume)")
		}
		st = &AuthState{RedirectURL: f.cfg.RedirectURL, Scopes: slices.Clone(f.cfg.Scopes)}
	}
	return f.exchange(ctx, code, st)
}

// exchange makes the token request for code under st.
func (f *Flow) exchange(ctx context.Context, code string, st *AuthState) (*Credentials, error) {
	params := url.Values{
		"grant_type": {"authorization_code"},
		"code":       {code},
	}
	if st.RedirectURL != "" {
		params.Set("redirect_uri", st.RedirectURL)
	}
	if st.CodeVerifier != "" {
		params.Set("code_verifier", st.CodeVerifier)
	}
	client := f.client()
	tok, err := RequestToken(ctx, client.tokenRequest(f.cfg.Endpoint.TokenURL, "Config.Endpoint.TokenURL", params))
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.pending != nil && f.pending.State == st.State {
		f.pending = nil // a code and its state are good for one exchange
	}
	f.mu.Unlock()
	return f.verifiedCredentials(ctx, tok, st.Scopes, st.Nonce)
}

// credentials returns credentials for a token the flow obtained for scopes:
// the one construction shared by the authorization-code and device flows.
func (f *Flow) credentials(tok *Token, scopes []string) *Credentials {
	cache := f.cfg.Cache
	if cache.Now == nil {
		cache.Now = f.cfg.Now
	}
	return NewCredentials(CredentialsConfig{
		ClientID:         f.cfg.ClientID,
		ClientSecret:     f.cfg.ClientSecret,
		TokenURI:         f.cfg.Endpoint.TokenURL,
		RevokeURI:        f.cfg.Endpoint.RevocationURL,
		TokenInfoURI:     f.cfg.Endpoint.TokenInfoURL,
		IntrospectionURI: f.cfg.Endpoint.IntrospectionURL,
		UserInfoURI:      f.cfg.Endpoint.UserInfoURL,
		AuthStyle:        f.style,
		ClientAuth:       f.cfg.ClientAuth,
		ProofBinder:      f.cfg.ProofBinder,
		IDTokenVerifier:  f.cfg.IDTokenVerifier,
		UserAgent:        f.cfg.UserAgent,
		Scopes:           slices.Clone(scopes),
		HTTPClient:       f.cfg.HTTPClient,
		Retry:            f.cfg.Retry,
		Logger:           f.cfg.Logger,
		Cache:            cache,
	}, tok)
}

// now reads the flow's clock.
func (f *Flow) now() time.Time {
	if f.cfg.Now != nil {
		return f.cfg.Now()
	}
	return time.Now()
}
