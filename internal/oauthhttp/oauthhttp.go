// Package oauthhttp is the one way this module talks to the endpoints of
// an authorization server: token, device authorization, revocation,
// introspection (form POSTs), discovery and token info (GETs).
//
// [Do] checks the endpoint URL (https, or http on loopback only), applies
// client authentication and an optional proof of possession to each try,
// sends without following redirects, reads the body up to [MaxBody],
// retries as its [Retry] policy says, and logs each step at debug level
// without URLs, form values or headers. It knows nothing of OAuth bodies:
// it returns the plain response, and its caller turns failures into errors
// for users.
package oauthhttp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// MaxBody bounds every response body read; a larger body is an error.
const MaxBody = 1 << 20

// ErrBodyTooLarge reports a response body over MaxBody.
var ErrBodyTooLarge = fmt.Errorf("response body exceeds %d bytes", MaxBody)

// SetupError reports a failure before anything was sent: an endpoint URL
// refused, or client authentication or a proof that could not be made.
type SetupError struct {
	// Field names the configuration field at fault, if any, e.g.
	// "CredentialsConfig.TokenURI".
	Field string
	// Err is the cause; it never quotes the URL.
	Err error
}

// Error names the field and the cause.
func (e *SetupError) Error() string {
	if e.Field == "" {
		return e.Err.Error()
	}
	return e.Field + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *SetupError) Unwrap() error { return e.Err }

// Request is one request to an authorization server endpoint. Do does not
// modify it.
type Request struct {
	// Endpoint names the endpoint in logs, e.g. "token".
	Endpoint string
	// Field names the configuration field URL came from, for errors.
	Field string
	// Method is the HTTP method; empty means POST when Form is not nil,
	// else GET.
	Method string
	// URL is the endpoint's URL.
	URL string
	// Form is the body of a POST, sent form-encoded.
	Form url.Values
	// JSON, when Form is nil, is the body of a POST, sent as
	// application/json (the IAM Credentials API takes JSON).
	JSON []byte
	// MetadataServer marks a request to a cloud metadata server: plain
	// http is then also allowed to the hosts urlpolicy.IsMetadataHost
	// names (link-local addresses and the metadata server's names), where
	// it answers; to no other host.
	MetadataServer bool
	// Header is sent with every try; "Accept: application/json" is added
	// when it names no Accept.
	Header http.Header
	// Authenticate, if set, adds client authentication to a copy of Form
	// and Header before each try.
	Authenticate func(ctx context.Context, form url.Values, header http.Header) error
	// Prove, if set, adds a proof of possession to each try's header
	// (after Authenticate).
	Prove func(ctx context.Context, method, url string, header http.Header) error
	// NonceRetry, if set, is asked about each response; when it answers
	// true the request is sent again at once, once per Do, outside the
	// retry budget (a DPoP nonce challenge, RFC 9449 §8).
	NonceRetry func(*Response) bool
	// Client sends the request; nil means [DefaultClient]. Its redirect
	// policy is replaced: redirects are never followed.
	Client *http.Client
	// Certificate, if set, is presented as the TLS client certificate
	// (RFC 8705): the request goes through Client's transport cloned to
	// present it (see [CertTransport]).
	Certificate *tls.Certificate
	// Retry is the retry policy; its zero value makes one try.
	Retry Retry
	// Logger receives debug records of tries, answers and waits; nil
	// means none.
	Logger *slog.Logger
}

// Response is an endpoint's answer.
type Response struct {
	// StatusCode is the HTTP status.
	StatusCode int
	// Header is the response header.
	Header http.Header
	// Body is the response body, at most MaxBody bytes.
	Body []byte
}

// Do sends r and returns the last answer. The error is a [*SetupError]
// when nothing was sent, a transport error (its URL removed), the error of
// ctx, or a failure reading the body: then the response is returned too,
// with its status and header.
//
// A retry whose wait would end past ctx's deadline is not made: the last
// answer (or error) is returned at once, as final. When ctx is done during
// a wait, the last answer is returned with an error wrapping both the last
// try's error, if any, and ctx's.
func Do(ctx context.Context, r *Request) (*Response, error) {
	if err := urlpolicy.CheckEndpoint(r.URL); err != nil && !(r.MetadataServer && errors.Is(err, urlpolicy.ErrInsecure) && metadataURL(r.URL)) {
		return nil, &SetupError{Field: r.Field, Err: err}
	}
	hc := r.Client
	if r.Certificate != nil {
		c, err := WithCertificate(r.Client, r.Certificate)
		if err != nil {
			return nil, &SetupError{Field: "HTTPClient", Err: err}
		}
		hc = c
	}
	hc = clientFor(hc)
	retries, nonceUsed := 0, false
	for try := 1; ; try++ {
		resp, sent, err := r.try(ctx, hc)
		var setup *SetupError
		if errors.As(err, &setup) {
			return nil, err
		}
		r.logTry(ctx, try, resp, err)
		if err == nil && !nonceUsed && r.NonceRetry != nil && r.NonceRetry(resp) {
			nonceUsed = true
			r.log(ctx, "oauth2client: resending with the server's nonce", slog.Int("attempt", try))
			continue
		}
		wait, ok := r.retryWait(ctx, retries, resp, sent, err)
		if !ok {
			return resp, err
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			r.log(ctx, "oauth2client: not retrying: the wait would outlast the context's deadline",
				slog.Int("attempt", try), slog.Duration("backoff", wait))
			return resp, err
		}
		retries++
		r.log(ctx, "oauth2client: retrying", slog.Int("attempt", try), slog.Duration("backoff", wait))
		if serr := r.Retry.sleep(ctx, wait); serr != nil {
			return resp, gaveUp(err, serr)
		}
	}
}

// gaveUp is the error of a wait between tries cut short by waitErr (the
// context's error): it wraps both waitErr and the last try's error, if any.
func gaveUp(last, waitErr error) error {
	if last == nil {
		return fmt.Errorf("gave up waiting to retry: %w", waitErr)
	}
	return fmt.Errorf("%w (gave up waiting to retry: %w)", last, waitErr)
}

// try sends r once. sent reports whether the request may have reached the
// server.
func (r *Request) try(ctx context.Context, hc *http.Client) (resp *Response, sent bool, err error) {
	var form url.Values
	if r.Form != nil {
		form = make(url.Values, len(r.Form)+2)
		for k, v := range r.Form {
			form[k] = v
		}
	}
	header := r.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	if r.Authenticate != nil {
		if err := r.Authenticate(ctx, form, header); err != nil {
			return nil, false, &SetupError{Err: fmt.Errorf("client authentication: %w", err)}
		}
	}
	method := r.Method
	var body io.Reader
	if form != nil {
		if method == "" {
			method = http.MethodPost
		}
		body = strings.NewReader(form.Encode())
		header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else if r.JSON != nil {
		if method == "" {
			method = http.MethodPost
		}
		body = bytes.NewReader(r.JSON)
		header.Set("Content-Type", "application/json")
	} else if method == "" {
		method = http.MethodGet
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return nil, false, &SetupError{Field: r.Field, Err: errors.New("not a valid URL")}
	}
	if header.Get("Accept") == "" {
		header.Set("Accept", "application/json")
	}
	req.Header = header
	if r.Prove != nil {
		if err := r.Prove(ctx, method, r.URL, req.Header); err != nil {
			return nil, false, &SetupError{Err: fmt.Errorf("proof of possession: %w", err)}
		}
	}
	var gotConn atomic.Bool
	req = req.WithContext(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	}))
	hr, err := hc.Do(req)
	if err != nil {
		return nil, gotConn.Load() || !connectFailure(err), urlpolicy.RedactURLError(err)
	}
	defer hr.Body.Close()
	resp = &Response{StatusCode: hr.StatusCode, Header: hr.Header}
	resp.Body, err = readBody(hr.Body)
	return resp, true, err
}

// connectFailure reports whether err is a failure to reach the server
// (name resolution, dial, proxy connect), after which nothing was sent.
func connectFailure(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && (op.Op == "dial" || op.Op == "proxyconnect")
}

// readBody reads at most MaxBody bytes of b, failing if there are more.
func readBody(b io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(b, MaxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if len(body) > MaxBody {
		return nil, ErrBodyTooLarge
	}
	return body, nil
}

// retryWait decides whether a try's outcome is retried after retries
// retries so far, and how long to wait first.
func (r *Request) retryWait(ctx context.Context, retries int, resp *Response, sent bool, err error) (time.Duration, bool) {
	p := &r.Retry
	if retries >= p.Max || ctx.Err() != nil {
		return 0, false
	}
	switch {
	case err != nil && errors.Is(err, ErrBodyTooLarge):
		return 0, false
	case err != nil:
		if sent && p.BeforeSendOnly {
			return 0, false
		}
	case !retryableStatus(resp.StatusCode) || p.BeforeSendOnly:
		return 0, false
	}
	wait := p.backoff(retries + 1)
	if resp != nil {
		if after, ok := ParseRetryAfter(resp.Header.Get("Retry-After"), p.now()); ok {
			if p.MaxWait > 0 && after > p.MaxWait {
				r.log(ctx, "oauth2client: not retrying: Retry-After exceeds the longest wait",
					slog.Duration("retry_after", after), slog.Duration("max_wait", p.MaxWait))
				return 0, false
			}
			wait = max(wait, after)
		}
	}
	return wait, true
}

// logTry records the outcome of one try.
func (r *Request) logTry(ctx context.Context, try int, resp *Response, err error) {
	switch {
	case err != nil && resp != nil:
		r.log(ctx, "oauth2client: endpoint answered", slog.Int("attempt", try),
			slog.Int("status", resp.StatusCode), slog.String("error", err.Error()))
	case err != nil:
		r.log(ctx, "oauth2client: endpoint request failed", slog.Int("attempt", try), slog.String("error", err.Error()))
	default:
		r.log(ctx, "oauth2client: endpoint answered", slog.Int("attempt", try), slog.Int("status", resp.StatusCode))
	}
}

// log writes a debug record naming the endpoint.
func (r *Request) log(ctx context.Context, msg string, attrs ...slog.Attr) {
	if r.Logger == nil || !r.Logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	r.Logger.LogAttrs(ctx, slog.LevelDebug, msg, append([]slog.Attr{slog.String("endpoint", r.Endpoint)}, attrs...)...)
}

// metadataURL reports whether raw names a metadata server host.
func metadataURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && urlpolicy.IsMetadataHost(u.Hostname())
}
