package web

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
	"github.com/oauth2client/oauth2client/idtoken"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
	"github.com/oauth2client/oauth2client/store"
)

// Default paths and lifetimes of a [Config].
const (
	DefaultLoginPath       = "/login"
	DefaultCallbackPath    = "/oauth2callback"
	DefaultLogoutPath      = "/logout"
	DefaultSessionTTL      = 24 * time.Hour
	DefaultStateTTL        = 10 * time.Minute
	DefaultRecheckInterval = time.Minute
)

// DefaultScopes are the scopes asked for at sign-in when Config.Scopes is
// empty: those of an OpenID Connect sign-in with the user's email and name.
var DefaultScopes = []string{"openid", "email", "profile"}

// Config configures an [App]. Exactly one of ClientSecrets, Issuer and
// Flow.Endpoint says where the authorization server is; BaseURL, Store and
// CookieKeys are required. Zero values of the other fields are defaults.
type Config struct {
	// BaseURL is the application's origin as browsers see it, such as
	// "https://app.example.com" or "http://127.0.0.1:8080": https, or
	// http on a loopback host only. The redirect URI is BaseURL plus
	// CallbackPath (unless Flow.RedirectURL is set), and cookies are
	// Secure and "__Host-" prefixed unless BaseURL is plain-http loopback.
	BaseURL string
	// Flow is the client: ClientID, ClientSecret (or ClientAuth), Endpoint
	// and the run-time settings (HTTPClient, Logger, Now, ...) of the
	// flow and of the credentials it makes. Its Scopes are not used: see
	// Scopes. Its IDTokenVerifier, when nil, is an idtoken.Verifier for
	// the endpoint's issuer and the client (from Endpoint.JWKSURL, or
	// discovery): the signed-in user is always a verified ID token.
	//
	// What the client's credentials keep with them is stored in every
	// user's entry: a ClientAuth made from a certificate in memory
	// (clientauth.NewTLSClientAuth) stores its private key there, a DPoP
	// ProofBinder its key. Prefer certificates from files
	// (clientauth.LoadTLSClientAuth), whose entries hold only the paths.
	Flow oauth2client.Config
	// ClientSecrets, when set, gives Flow its ClientID, ClientSecret and
	// Endpoint (a client_secrets.json; see [oauth2client.LoadClientSecrets]).
	ClientSecrets *oauth2client.ClientSecrets
	// Issuer, when set, gives Flow its Endpoint by discovery
	// ([oauth2client.Discover]) in New; Flow.ClientID (and ClientSecret)
	// are still needed.
	Issuer string
	// Scopes are asked for at every sign-in, before those a [App.Required]
	// adds; they must include "openid". Empty means [DefaultScopes].
	Scopes []string
	// Store keeps each user's credentials, under a key made of the
	// issuer, the client and the user's subject ([UserKey]). A shared
	// database (store/sqlstore) lets several replicas serve one user.
	Store store.Store
	// CookieKeys seal the cookies (AES-256-GCM), KeySize bytes each: the
	// first seals, all open, so a new key goes first and a retired one
	// stays for as long as the cookies it sealed should stay valid.
	// Replicas share them. See [NewCookieKey] and [ParseCookieKeys].
	CookieKeys [][]byte
	// LoginPath, CallbackPath and LogoutPath are where [App.Handler]
	// serves sign-in, the authorization callback and sign-out. Empty means
	// DefaultLoginPath, DefaultCallbackPath, DefaultLogoutPath.
	LoginPath, CallbackPath, LogoutPath string
	// ErrorHandler writes the page of a failed request (sign-in refused,
	// a bad callback, a store that fails). Nil means [DefaultErrorHandler]:
	// a short HTML page, or JSON for a request that asks for JSON.
	ErrorHandler func(http.ResponseWriter, *http.Request, *Error)
	// RevokeOnLogout revokes the user's credentials at the provider on
	// sign-out (which also deletes the stored entry).
	RevokeOnLogout bool
	// PostLogoutRedirectURL, when the provider has an end_session_endpoint,
	// is where it sends the user after logging out there; it must be
	// registered with the provider. Empty means the provider's own page.
	// Without an end_session_endpoint, sign-out lands on the logout
	// request's return_to (or "/").
	PostLogoutRedirectURL string
	// SessionTTL is how long a session lasts; zero means DefaultSessionTTL.
	SessionTTL time.Duration
	// StateTTL is how long a sign-in may take, from the redirect to the
	// callback; zero means DefaultStateTTL.
	StateTTL time.Duration
	// RecheckInterval is how long a user's credentials are served from
	// memory before the store is read again (to see a sign-out, a
	// revocation or scopes granted through another replica); zero means
	// DefaultRecheckInterval.
	RecheckInterval time.Duration
	// Logger receives a record of every failed request (never a token,
	// code or cookie); nil means none.
	Logger *slog.Logger
}

// App is a web application's sign-in: middleware ([App.Required],
// [App.Aware]) and handlers ([App.Handler]). It is safe for concurrent
// use and keeps no session state but the store and an in-memory cache of
// credentials, so any replica sharing the store and the cookie keys
// serves any request.
type App struct {
	cfg      Config
	flow     *oauth2client.Flow
	endpoint oauth2client.Endpoint
	sealer   *sealer
	base     *url.URL
	secure   bool   // cookies are Secure and __Host- prefixed
	prefix   string // cookie name prefix
	scopes   []string
	cache    credCache
	log      *slog.Logger
}

// New checks cfg and returns an App for it. With cfg.Issuer it discovers
// the endpoints, and without cfg.Flow.IDTokenVerifier it may discover the
// issuer's key set URI: both under the flow's HTTP client, within 30 s.
// Its errors name the field at fault.
func New(cfg Config) (*App, error) {
	bad := func(field string, err error) error {
		return fmt.Errorf("web: config: %s: %w", field, err)
	}
	a := &App{}
	switch {
	case cfg.BaseURL == "":
		return nil, bad("BaseURL", errors.New("missing"))
	case cfg.Store == nil:
		return nil, bad("Store", errors.New("missing"))
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || !u.IsAbs() || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, bad("BaseURL", errors.New("must be an origin such as https://app.example.com, without a path"))
	}
	if !urlpolicy.Secure(u) {
		return nil, bad("BaseURL", urlpolicy.ErrInsecure)
	}
	u.Path = ""
	a.base = u
	a.secure = u.Scheme == "https"
	if a.secure {
		a.prefix = "__Host-"
	}
	if a.sealer, err = newSealer(cfg.CookieKeys); err != nil {
		return nil, fmt.Errorf("web: config: %w", err)
	}
	for _, p := range []struct {
		field string
		path  *string
		def   string
	}{
		{"LoginPath", &cfg.LoginPath, DefaultLoginPath},
		{"CallbackPath", &cfg.CallbackPath, DefaultCallbackPath},
		{"LogoutPath", &cfg.LogoutPath, DefaultLogoutPath},
	} {
		if *p.path == "" {
			*p.path = p.def
		}
		if _, err := CheckReturnTo(*p.path); err != nil || strings.ContainsAny(*p.path, "?#") {
			return nil, bad(p.field, errors.New("must be a path starting with a single /"))
		}
	}
	if cfg.LoginPath == cfg.CallbackPath || cfg.LoginPath == cfg.LogoutPath || cfg.CallbackPath == cfg.LogoutPath {
		return nil, bad("LoginPath", errors.New("LoginPath, CallbackPath and LogoutPath must differ"))
	}
	for _, d := range []struct {
		field string
		v     *time.Duration
		def   time.Duration
	}{
		{"SessionTTL", &cfg.SessionTTL, DefaultSessionTTL},
		{"StateTTL", &cfg.StateTTL, DefaultStateTTL},
		{"RecheckInterval", &cfg.RecheckInterval, DefaultRecheckInterval},
	} {
		if *d.v < 0 {
			return nil, bad(d.field, errors.New("negative"))
		}
		if *d.v == 0 {
			*d.v = d.def
		}
	}
	a.scopes = slices.Clone(cfg.Scopes)
	if len(a.scopes) == 0 {
		a.scopes = slices.Clone(DefaultScopes)
	}
	if !slices.Contains(a.scopes, "openid") {
		return nil, bad("Scopes", errors.New(`must include "openid": the signed-in user is the subject of a verified ID token`))
	}
	if cfg.PostLogoutRedirectURL != "" {
		if p, err := url.Parse(cfg.PostLogoutRedirectURL); err != nil || !p.IsAbs() || !urlpolicy.Secure(p) {
			return nil, bad("PostLogoutRedirectURL", errors.New("must be an absolute https URL (or http on loopback)"))
		}
	}
	if err := a.setFlow(&cfg); err != nil {
		return nil, err
	}
	a.cfg = cfg
	a.log = cfg.Logger
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	return a, nil
}

// setFlow fills cfg.Flow from ClientSecrets or Issuer, completes it with
// the redirect URI and an ID token verifier, and makes a.flow.
func (a *App) setFlow(cfg *Config) error {
	f := cfg.Flow
	switch {
	case cfg.ClientSecrets != nil && cfg.Issuer != "":
		return errors.New("web: config: ClientSecrets and Issuer: give one, not both")
	case cfg.ClientSecrets != nil && f.Endpoint.AuthURL != "":
		return errors.New("web: config: ClientSecrets and Flow.Endpoint: give one, not both")
	case cfg.Issuer != "" && f.Endpoint.AuthURL != "":
		return errors.New("web: config: Issuer and Flow.Endpoint: give one, not both")
	case cfg.ClientSecrets != nil:
		cs := cfg.ClientSecrets.Config("")
		f.ClientID, f.ClientSecret, f.Endpoint = cs.ClientID, cs.ClientSecret, cs.Endpoint
	case cfg.Issuer != "":
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ep, err := oauth2client.Discover(ctx, cfg.Issuer, &oauth2client.DiscoverOptions{HTTPClient: f.HTTPClient, Logger: f.Logger})
		if err != nil {
			return fmt.Errorf("web: config: Issuer: %w", err)
		}
		f.Endpoint = *ep
	}
	if f.ClientID == "" {
		return errors.New("web: config: Flow.ClientID: missing (or give ClientSecrets)")
	}
	if f.RedirectURL == "" {
		f.RedirectURL = a.base.String() + cfg.CallbackPath
	}
	f.Scopes = a.scopes
	if f.IDTokenVerifier == nil {
		v, err := defaultVerifier(f)
		if err != nil {
			return fmt.Errorf("web: config: Flow.IDTokenVerifier: %w", err)
		}
		f.IDTokenVerifier = v
	}
	flow, err := oauth2client.NewFlow(f)
	if err != nil {
		return fmt.Errorf("web: config: Flow: %w", err)
	}
	a.flow = flow
	cfg.Flow = flow.Config()
	a.endpoint = cfg.Flow.Endpoint
	return nil
}

// defaultVerifier returns an ID token verifier for f's issuer and client.
func defaultVerifier(f oauth2client.Config) (oauth2client.IDTokenVerifier, error) {
	ep := f.Endpoint
	if ep.Issuer == "" {
		return nil, errors.New("nil, and the endpoint names no issuer to verify ID tokens against (use Issuer, or set Flow.Endpoint.Issuer)")
	}
	opts := &idtoken.Options{Issuer: ep.Issuer, Audiences: []string{f.ClientID}, JWKSURL: ep.JWKSURL, HTTPClient: f.HTTPClient, Logger: f.Logger, Now: f.Now}
	if ep.JWKSURL != "" || idtoken.IsGoogleIssuer(ep.Issuer) {
		return idtoken.New(opts)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return idtoken.NewFromDiscovery(ctx, ep.Issuer, opts)
}

// now reads the app's clock (Flow.Now).
func (a *App) now() time.Time {
	if a.cfg.Flow.Now != nil {
		return a.cfg.Flow.Now()
	}
	return time.Now()
}
