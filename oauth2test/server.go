package oauth2test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Endpoint paths served by a [Server], relative to its issuer URL.
const (
	PathAuthorize    = "/authorize"
	PathToken        = "/token"
	PathRevoke       = "/revoke"
	PathTokenInfo    = "/tokeninfo"
	PathIntrospect   = "/introspect"
	PathUserInfo     = "/userinfo"
	PathJWKS         = "/jwks"
	PathMetrics      = "/metrics"
	PathOIDCConfig   = "/.well-known/openid-configuration"
	PathOAuthConfig  = "/.well-known/oauth-authorization-server"
	PathCalendarList = "/calendar/v3/users/me/calendarList"
)

// DefaultUser is the user name a [Server] uses when none is chosen.
const DefaultUser = "alice"

// Default lifetimes used when [Options] leaves them zero.
const (
	DefaultTokenTTL = time.Hour
	DefaultCodeTTL  = 10 * time.Minute
)

// maxRequestBody bounds every request body the server reads.
const maxRequestBody = 64 << 10

// Options configures a [Server]. The zero value (or a nil *Options) is a
// server on 127.0.0.1 with an ephemeral port, a consent page, one-hour
// tokens and no refresh-token rotation.
type Options struct {
	// Addr is the loopback address to listen on, e.g. "127.0.0.1:8765".
	// Empty means "127.0.0.1:0" (an ephemeral port). A host that is not a
	// loopback IP address makes NewServer panic.
	Addr string
	// Listener, if set, is used instead of listening on Addr. It must be
	// bound to a loopback address. The server closes it on Close.
	Listener net.Listener
	// AutoApprove skips the consent page: every valid authorization request
	// is approved at once for the login_hint user, or DefaultUser.
	AutoApprove bool
	// TokenTTL is the lifetime of access and ID tokens. Zero means
	// DefaultTokenTTL.
	TokenTTL time.Duration
	// CodeTTL is the lifetime of authorization codes. Zero means
	// DefaultCodeTTL.
	CodeTTL time.Duration
	// RotateRefreshTokens makes every refresh_token grant return a new
	// refresh token and invalidate the one it used.
	RotateRefreshTokens bool
	// Now is the server's clock. Nil means time.Now. Expiry of codes and
	// tokens follows this clock (plus any [Server.Advance]).
	Now func() time.Time
	// DefaultUser is the user chosen when a request names none. Empty means
	// the package's DefaultUser, "alice".
	DefaultUser string
	// Clients are registered as if by [Server.RegisterClient].
	Clients []Client
	// DeviceInterval is the polling interval device authorizations ask for
	// (RFC 8628 §3.2); polling faster gets slow_down. Zero means
	// DefaultDeviceInterval. Device codes live as long as CodeTTL.
	DeviceInterval time.Duration
	// SigningKey signs ID tokens. Nil means a new RSA 2048 key generated
	// by NewServer; tests starting many servers can share one key to save
	// the time that takes.
	SigningKey *rsa.PrivateKey
	// Metadata also serves a GCE metadata server emulation (see
	// [PathMetadataServiceAccounts]), reached by clients through
	// GCE_METADATA_HOST=HOST:PORT of [Server.URL].
	Metadata bool
	// TokenExchange, when set, enables the token exchange grant
	// (RFC 8693) and decides its requests; see [AllowTokenExchange].
	TokenExchange TokenExchangePolicy
	// RequirePAR makes the authorization endpoint accept only pushed
	// authorization requests (a request_uri from [PathPAR]), and discovery
	// say so (RFC 9126 §5).
	RequirePAR bool
	// PARTTL is the lifetime of the request_uris of [PathPAR]. Zero means
	// DefaultPARTTL.
	PARTTL time.Duration
	// DPoPNonce makes DPoP proofs need a server nonce (RFC 9449 §8, §9):
	// a proof without it is answered with use_dpop_nonce and a DPoP-Nonce
	// header, at the token endpoint and at the sample API.
	DPoPNonce bool
	// MTLS also serves every endpoint over HTTPS on a second listener on
	// 127.0.0.1 that asks for TLS client certificates (RFC 8705): see
	// [Server.MTLSURL]. Discovery then lists it in mtls_endpoint_aliases,
	// with tls_client_auth and self_signed_tls_client_auth, and
	// tls_client_certificate_bound_access_tokens: a token request over it
	// with a client certificate gets an access token bound to that
	// certificate (cnf.x5t#S256), which the sample API and userinfo accept
	// only from a connection presenting it.
	MTLS bool
	// ClientCAs verifies the certificates of tls_client_auth clients.
	ClientCAs *x509.CertPool
}

// Server is an OAuth 2.0 authorization server and OpenID Provider for tests
// and local development, listening on a loopback address. Its methods are
// safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, "http://127.0.0.1:PORT", with no
	// trailing slash. It is also the issuer identifier.
	URL string
	// Listener is the listener the server accepts connections on.
	Listener net.Listener

	opts    Options // copy; TokenTTL etc. filled in
	http    *http.Server
	handler http.Handler
	client  *http.Client
	done    chan struct{}
	key     *rsa.PrivateKey
	keyID   string
	ecKey   *ecdsa.PrivateKey // signs ES256 ID tokens, under keyID + "-es256"

	closeOnce sync.Once

	// mu guards everything below.
	mu        sync.Mutex
	offset    time.Duration
	clients   map[string]*Client
	pending   map[string]*authRequest
	codes     map[string]*authCode
	access    map[string]*accessToken
	refresh   map[string]*refreshToken
	rotated   map[string]bool // refresh tokens replaced by rotation
	grants    map[string]*grant
	devices   map[string]*deviceAuth    // by device code
	userCodes map[string]string         // normalized user code -> device code
	pushed    map[string]*pushedRequest // by request_uri
	// serviceAccounts are the registered service accounts, by email.
	serviceAccounts map[string]*serviceAccount
	faults          []*Fault
	metrics         metrics
	grantCount      int

	// jtis are the client assertions seen, by client id + "\x00" + jti,
	// with their expiry: a replay is refused until then.
	jtis map[string]time.Time
	// dpop holds DPoP nonces, proof jtis and counters.
	dpop dpopState
	// mtls is the HTTPS listener of Options.MTLS; nil without it.
	mtls *mtlsState
}

// NewServer starts a server on a loopback address and returns it. Callers
// should call Close when done. It panics if the options are invalid or the
// address cannot be listened on, as httptest.NewServer does.
func NewServer(opts *Options) *Server {
	var o Options
	if opts != nil {
		o = *opts
		o.Clients = slices.Clone(opts.Clients)
	}
	if o.TokenTTL <= 0 {
		o.TokenTTL = DefaultTokenTTL
	}
	if o.CodeTTL <= 0 {
		o.CodeTTL = DefaultCodeTTL
	}
	if o.DefaultUser == "" {
		o.DefaultUser = DefaultUser
	}
	ln := o.Listener
	if ln == nil {
		addr := o.Addr
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		if err := CheckLoopbackAddr(addr); err != nil {
			panic(err)
		}
		var err error
		ln, err = net.Listen("tcp", addr)
		if err != nil {
			panic(fmt.Sprintf("oauth2test: listen on %s: %v", addr, err))
		}
	} else if err := CheckLoopbackAddr(ln.Addr().String()); err != nil {
		panic(err)
	}
	o.Listener = nil

	key := o.SigningKey
	if key == nil {
		var err error
		key, err = rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			ln.Close()
			panic(fmt.Sprintf("oauth2test: generate RSA key: %v", err))
		}
	}
	kid := randomString(8)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		ln.Close()
		panic(fmt.Sprintf("oauth2test: generate P-256 key: %v", err))
	}
	if key.N.BitLen() < 2048 {
		ln.Close()
		panic("oauth2test: Options.SigningKey: RSA key shorter than 2048 bits")
	}

	s := &Server{
		URL:       "http://" + ln.Addr().String(),
		Listener:  ln,
		opts:      o,
		done:      make(chan struct{}),
		key:       key,
		keyID:     kid,
		ecKey:     ecKey,
		clients:   make(map[string]*Client),
		pending:   make(map[string]*authRequest),
		codes:     make(map[string]*authCode),
		access:    make(map[string]*accessToken),
		refresh:   make(map[string]*refreshToken),
		rotated:   make(map[string]bool),
		grants:    make(map[string]*grant),
		devices:   make(map[string]*deviceAuth),
		userCodes: make(map[string]string),
		pushed:    make(map[string]*pushedRequest),

		serviceAccounts: make(map[string]*serviceAccount),
		metrics:         newMetrics(),
	}
	s.handler = s.newHandler()
	if o.MTLS {
		if err := s.startMTLS(); err != nil {
			ln.Close()
			panic(err)
		}
	}
	for _, c := range o.Clients {
		if err := s.RegisterClient(c); err != nil {
			ln.Close()
			s.closeMTLS()
			panic(err)
		}
	}
	s.http = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	s.client = &http.Client{Transport: &http.Transport{
		Proxy:             nil,
		DialContext:       (&net.Dialer{}).DialContext,
		ForceAttemptHTTP2: false,
	}}
	go func() {
		defer close(s.done)
		_ = s.http.Serve(ln)
	}()
	return s
}

// CheckLoopbackAddr reports an error unless addr is a host:port whose host
// is a loopback IP address (127.0.0.0/8 or ::1) or "localhost".
func CheckLoopbackAddr(addr string) error {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return fmt.Errorf("oauth2test: address %q: %w", addr, err)
	}
	if !urlpolicy.IsLoopbackAddr(addr) {
		return fmt.Errorf("oauth2test: address %q is not a loopback address (use 127.0.0.1, [::1] or localhost)", addr)
	}
	return nil
}

// Close shuts the server down, closing its listener and open connections,
// and waits for it to stop.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.http.Close()
		<-s.done
		s.closeMTLS()
		if t, ok := s.client.Transport.(*http.Transport); ok {
			t.CloseIdleConnections()
		}
	})
}

// Issuer returns the server's issuer identifier, the same as URL.
func (s *Server) Issuer() string { return s.URL }

// Client returns an HTTP client for talking to the server. It follows
// redirects and uses no proxy.
func (s *Server) Client() *http.Client { return s.client }

// Handler returns the server's HTTP handler. Its issuer and endpoint URLs
// remain those of s.URL.
func (s *Server) Handler() http.Handler { return s.handler }

// now returns the server's current time. Callers hold s.mu.
func (s *Server) now() time.Time {
	var t time.Time
	if s.opts.Now != nil {
		t = s.opts.Now()
	} else {
		t = time.Now()
	}
	return t.Add(s.offset)
}

// Advance moves the server's clock forward by d (backward if d is
// negative), on top of Options.Now, so that codes and tokens expire without
// waiting.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// ExpireAll makes every access token issued so far expire now. Refresh
// tokens keep working.
func (s *Server) ExpireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, t := range s.access {
		if t.expiry.After(now) {
			t.expiry = now
		}
	}
}

// TokenRequests returns how many requests reached the token endpoint with
// the given grant_type parameter, exactly as received ("" for none).
func (s *Server) TokenRequests(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int(s.metrics.tokenRequests[grantType])
}

// Requests returns how many requests were made to path (e.g. [PathToken]),
// whatever their outcome. Metadata and IAM paths that name an account are
// counted under a label such as [PathMetadataToken].
func (s *Server) Requests(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.metrics.httpRequests {
		if k.path == path {
			n += int(v)
		}
	}
	return n
}

// randomString returns n random bytes, base64url-encoded without padding.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
