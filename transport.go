package oauth2client

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// maxDrain bounds how much of a 401 response body is read before the
// connection is reused for the retry.
const maxDrain = 4 << 10

// Transport is an [http.RoundTripper] that authorizes each request with a
// token from Source, sending it through Base.
//
// The caller's request is never modified: each request is copied with its
// own header before the Authorization header is set. After a 401 response,
// if Source is a [TokenRejecter] and the request body can be sent again (no
// body, or [http.Request.GetBody] set), Transport reports the rejected token,
// and retries once with the token it gets back. If no other token comes
// back, the 401 response is returned as it is; a [CachedSource] (and so
// [Credentials]) gives another token at most once per token, and not for
// a token it just obtained (see [CachedSource.TokenRejected]). No other
// status is retried: a 429 or 503, with or without Retry-After, goes back
// to the caller.
//
// The token is sent only over https, or plain http to a loopback host
// (RFC 6750 §5.3): a request to any other http:// URL fails with an error
// wrapping [ErrInsecureHTTP], before a token is even asked for, unless
// InsecureAllowHTTP is set.
//
// A request that follows a redirect (one an [http.Client] made, with
// [http.Request.Response] set) carries the token only when it goes to the
// origin (scheme, host and port) of the request that started the chain: a
// redirect to another origin is sent without it, through Base as it is
// (without the client certificate below). The client itself drops
// only the Authorization headers set on the original request, and this one
// is added to each request the Transport sends.
//
// When Source has a TLS client certificate (as [Credentials] whose
// ClientAuth is a [CertificateAuth] do: see [Credentials.TLSCertificate]),
// requests go through a clone of Base that presents it, since the tokens
// the server bound to it (RFC 8705 §3) are good only from such a
// connection; Base must then be nil or an *http.Transport.
//
// A Transport is safe for concurrent use and must not be copied after first
// use.
type Transport struct {
	// Source supplies tokens. Required.
	Source TokenSource
	// Base sends the authorized request; nil means http.DefaultTransport.
	Base http.RoundTripper
	// InsecureAllowHTTP lets the token go over plain http to any host,
	// where anyone on the network path can read and replay it. Only for
	// test setups on a trusted network; http to a loopback host needs no
	// such switch.
	InsecureAllowHTTP bool
	// Logger, when set, receives debug lines about 401 responses and what
	// was done about them. No line carries a token. Nil means silent.
	Logger *slog.Logger
	// ProofBinder, when set, proves possession of the key a token is bound
	// to: a request with a token of the binder's type (e.g. "DPoP") carries
	// "Authorization: DPoP <token>" and a fresh proof naming the token
	// (RFC 9449 §7), and a 401 asking for a server nonce is sent once more
	// with it when the body can be sent again. Tokens of other types are
	// sent as they are. Nil means the ProofBinder of Source when it is
	// [*Credentials] with one (see [CredentialsConfig].ProofBinder), else
	// no proofs.
	ProofBinder ProofBinder

	// last caches the Authorization value of the last token used, so that
	// requests with an unchanged token do not build it again.
	last atomic.Pointer[authValue]
	// loopHost caches the host (with port) of the last plain-http URL found
	// to be loopback, so that requests to it skip parsing it again.
	loopHost atomic.Pointer[string]
}

// authValue is an Authorization header value and the token it came from.
type authValue struct {
	tok   *Token
	value string
}

// authValue returns the Authorization header value for tok.
func (t *Transport) authValue(tok *Token) string {
	if a := t.last.Load(); a != nil && a.tok == tok {
		return a.value
	}
	a := &authValue{tok: tok, value: tok.Type() + " " + tok.AccessToken}
	t.last.Store(a)
	return a.value
}

// RoundTrip authorizes a copy of req and sends it; see [Transport].
// As [http.RoundTripper] requires, it closes req's body, also on errors.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Source == nil {
		closeBody(req)
		return nil, errors.New("oauth2client: Transport.Source is nil")
	}
	if redirectedAway(req) {
		return t.plainBase().RoundTrip(req) // no token, no client certificate
	}
	base, err := t.base()
	if err != nil {
		closeBody(req)
		return nil, err
	}
	if err := t.checkScheme(req.URL); err != nil {
		closeBody(req)
		return nil, err
	}
	ctx := req.Context()
	tok, err := t.Source.Token(ctx)
	if err == nil && tok == nil {
		err = errors.New("oauth2client: Transport.Source returned no token")
	}
	if err != nil {
		closeBody(req)
		return nil, err
	}
	if pb := t.proofBinder(); pb != nil && strings.EqualFold(tok.Type(), pb.TokenType()) {
		return t.roundTripBound(req, base, pb, tok)
	}
	resp, err := base.RoundTrip(authorized(req, t.authValue(tok), req.Body))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}

	return t.retry401(req, base, tok, resp)
}

// retry401 handles resp, a 401 to req sent with tok: it asks the source
// for another token and sends req again with it, when that can be done,
// and returns resp otherwise.
func (t *Transport) retry401(req *http.Request, base http.RoundTripper, tok *Token, resp *http.Response) (*http.Response, error) {
	ctx := req.Context()
	rej, ok := t.Source.(TokenRejecter)
	canReplay := replayable(req)
	switch {
	case !ok:
		t.debug(req, "oauth2client: 401; no retry: the token source cannot replace a token")
		return resp, nil
	case !canReplay:
		t.debug(req, "oauth2client: 401; no retry: the request body cannot be sent again (no GetBody)")
		return resp, nil
	}
	tok2, err := rej.TokenRejected(ctx, tok)
	switch {
	case err != nil:
		t.debug(req, "oauth2client: 401; no retry: no other token", slog.String("error", err.Error()))
		return resp, nil // the 401 says more than the refresh error
	case tok2 == nil || tok2.AccessToken == tok.AccessToken:
		t.debug(req, "oauth2client: 401; no retry: the source returned the same token")
		return resp, nil
	}
	body, err := bodyAgain(req)
	if err != nil {
		t.debug(req, "oauth2client: 401; no retry: GetBody failed", slog.String("error", err.Error()))
		return resp, nil
	}
	drain(resp)
	t.debug(req, "oauth2client: 401; retrying once with another token")
	if pb := t.proofBinder(); pb != nil && strings.EqualFold(tok2.Type(), pb.TokenType()) {
		return t.sendBound(req, base, pb, tok2, body)
	}
	return base.RoundTrip(authorized(req, t.authValue(tok2), body))
}

// ErrInsecureHTTP is wrapped by every refusal to send a secret over plain
// http to a host that is not loopback (RFC 6749 §3.1, RFC 6750 §5.3,
// RFC 8252 §8.3): a [Transport] asked to send a token to such a URL (see
// [Transport.InsecureAllowHTTP]), and a token, device authorization,
// revocation, introspection, token-info or discovery URL of that kind,
// from a flow config, client secrets, credentials JSON or a store.
var ErrInsecureHTTP = urlpolicy.ErrInsecure

// checkScheme returns an error if a token must not be sent to u. It does
// not allocate unless it refuses or meets a loopback host other than the
// last one.
func (t *Transport) checkScheme(u *url.URL) error {
	if u.Scheme == "https" || t.InsecureAllowHTTP {
		return nil
	}
	if h := t.loopHost.Load(); h != nil && *h == u.Host && u.Scheme == "http" {
		return nil
	}
	if urlpolicy.Secure(u) {
		if strings.EqualFold(u.Scheme, "http") {
			host := u.Host
			t.loopHost.Store(&host)
		}
		return nil
	}
	return fmt.Errorf("oauth2client: Transport: not sending a token to %s://%s: only https, or http to a loopback host, may carry one; set Transport.InsecureAllowHTTP to allow it: %w",
		urlpolicy.Clip(u.Scheme, 16), urlpolicy.Clip(u.Host, 100), ErrInsecureHTTP)
}

// debug logs msg about req at debug level, if the transport has a logger.
// It names the request's method and host, never its query or headers.
func (t *Transport) debug(req *http.Request, msg string, attrs ...slog.Attr) {
	if t.Logger == nil {
		return
	}
	attrs = append(attrs, slog.String("method", req.Method), slog.String("host", req.URL.Host))
	t.Logger.LogAttrs(req.Context(), slog.LevelDebug, msg, attrs...)
}

// redirectedAway reports whether req follows a redirect to an origin other
// than that of the request starting its chain of redirects.
func redirectedAway(req *http.Request) bool {
	first := req
	for first.Response != nil && first.Response.Request != nil {
		first = first.Response.Request
	}
	return first != req && origin(first.URL) != origin(req.URL)
}

// origin returns u's scheme, host and port, with the scheme's default port
// when u names none.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// authorized returns a shallow copy of req with body as its body and its
// own header: req's, with Authorization set to auth. The copy shares
// nothing the transport writes. The header is built with one map and one
// backing array for all values, as [http.Header.Clone] does.
func authorized(req *http.Request, auth string, body io.ReadCloser) *http.Request {
	r := new(http.Request)
	*r = *req
	r.Body = body
	nv := 1
	for _, vv := range req.Header {
		nv += len(vv)
	}
	sv := make([]string, nv)
	h := make(http.Header, len(req.Header)+1)
	for k, vv := range req.Header {
		if k == "Authorization" {
			continue
		}
		if vv == nil {
			h[k] = nil // keep "do not send" entries such as User-Agent
			continue
		}
		n := copy(sv, vv)
		h[k] = sv[:n:n]
		sv = sv[n:]
	}
	sv[0] = auth
	h["Authorization"] = sv[:1:1]
	r.Header = h
	return r
}

// closeBody closes req's body, if it has one.
func closeBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// NewClient returns an *http.Client whose requests carry tokens from src,
// sent through base's transport (nil means http.DefaultClient). base's
// other settings (timeout, redirects, cookies) are kept; base is not
// modified.
func NewClient(src TokenSource, base *http.Client) *http.Client {
	var c http.Client
	if base != nil {
		c = *base
	}
	c.Transport = &Transport{Source: src, Base: c.Transport}
	return &c
}
