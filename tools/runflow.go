package tools

import (
	"bufio"
	"cmp"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
	"github.com/oauth2client/oauth2client/store"
)

// DefaultTimeout is how long RunFlow waits for the browser's redirect or
// a pasted answer when Options.Timeout is zero.
const DefaultTimeout = 5 * time.Minute

// DefaultHostName is the host of the loopback redirect URI when
// Options.HostName is empty: the IPv4 loopback literal, as RFC 8252 §8.3
// recommends over "localhost" (which may resolve elsewhere or to IPv6).
const DefaultHostName = "127.0.0.1"

// SuccessPage is the text the browser shows once the redirect arrived and
// the code was exchanged.
const SuccessPage = "The authentication flow has completed. You may close this window."

// maxPasted bounds the line read in paste mode.
const maxPasted = 16 << 10

// Options configures [RunFlow]. The zero value (or nil) is a loopback
// server on 127.0.0.1 with an ephemeral port, the system browser, prompts on
// os.Stderr, answers from os.Stdin and a five-minute timeout.
type Options struct {
	// HostName is the host of the loopback redirect URI: "127.0.0.1" (the
	// default, DefaultHostName), "localhost" or "::1". The server always
	// listens on a loopback address only: 127.0.0.1 for "localhost" (never
	// a name lookup) and ::1 for "::1". Any other host is an error.
	HostName string
	// Ports are the ports to try for the loopback server, in order; the
	// first one free is used (Python's oauth2client tried 8080, then 8090).
	// Empty means an ephemeral port chosen by the system (RFC 8252 §7.3),
	// which the authorization server must accept on loopback redirects.
	Ports []int
	// CallbackPath is the path of the redirect URI. Empty means the path of
	// the flow's Config.RedirectURL when that is a loopback URL, else "/".
	CallbackPath string
	// NoLocalWebServer skips the loopback server, as when the browser runs
	// on another machine: RunFlow uses the device flow when the endpoint
	// has a DeviceAuthURL, and otherwise asks the user to paste the URL the
	// browser was finally sent to (or just the code) on Stdin. It implies
	// NoBrowser: the URL is printed, no browser is opened here.
	NoLocalWebServer bool
	// Device uses the device flow (RFC 8628) at once, without trying a
	// loopback server.
	Device bool
	// QRCode also draws the device flow's link (verification_uri_complete,
	// else the verification URI) as a QR code in the terminal, for a phone
	// to scan.
	QRCode bool
	// NoBrowser does not open a browser; the URL is printed all the same.
	NoBrowser bool
	// OpenBrowser opens a URL in the user's browser. It should return once
	// the browser was asked to open, without waiting for the page. Nil means
	// the system's opener: xdg-open, open (macOS) or rundll32 (Windows).
	// A failure is logged; the printed URL remains.
	OpenBrowser func(url string) error
	// Stdin is where paste mode reads the answer; nil means os.Stdin.
	Stdin io.Reader
	// Stderr receives the prompts for people: the authorization URL on a
	// line of its own, or the device flow's user code. Nil means os.Stderr.
	Stderr io.Writer
	// Timeout bounds the wait for the redirect or the pasted answer. Zero
	// means DefaultTimeout. The device flow waits as long as its code
	// lives instead.
	Timeout time.Duration
	// AuthCodeOptions are passed on to the authorization request (and, for
	// the device flow, WithScopes and SetParam to the device request).
	AuthCodeOptions []oauth2client.AuthCodeOption
	// Logger receives diagnostics; nil means none. Codes, tokens and
	// device codes are never logged.
	Logger *slog.Logger
}

// RunFlow gets user credentials for flow interactively, for command-line
// programs (Python oauth2client's tools.run_flow): it sends the user to the
// authorization page, receives the redirect on a loopback web server (or
// falls back to the device flow, or to pasting), exchanges the code,
// saves the credentials in s under key when s is not nil, and returns them
// bound to that entry ([store.BindCredentials]) so that their refreshes are
// stored too. See the package documentation for the steps.
//
// RunFlow verifies ID tokens only through the flow: set the flow's
// Config.IDTokenVerifier (an idtoken.Verifier, e.g. from
// idtoken.NewFromDiscovery) and the exchange's ID token, and those of
// later refreshes, are verified. RunFlow adds none itself, since it cannot
// change a flow's configuration, and fetching keys the caller did not ask
// for would surprise; the oauth2client command's login does add one.
//
// The user's refusal is an error matching [oauth2client.ErrAccessDenied];
// a timeout wraps [context.DeadlineExceeded]; cancelling ctx (Ctrl-C) stops
// the loopback server and returns ctx's error.
func RunFlow(ctx context.Context, flow *oauth2client.Flow, s store.Store, key string, opts *Options) (*oauth2client.Credentials, error) {
	if flow == nil {
		return nil, errors.New("tools: run flow: nil flow")
	}
	r, err := newRunner(flow, opts)
	if err != nil {
		return nil, err
	}
	creds, err := r.run(ctx)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return creds, nil
	}
	if err := s.Save(ctx, key, creds.State()); err != nil {
		return nil, fmt.Errorf("tools: save credentials under %q: %w", key, err)
	}
	r.log.Info("credentials saved", "key", key)
	return store.BindCredentials(s, key, creds, nil), nil
}

// runner is one RunFlow call.
type runner struct {
	flow   *oauth2client.Flow
	o      Options // defaults filled in
	host   string  // host of the redirect URI, bracketed for IPv6
	listen string  // IP to listen on
	path   string  // callback path
	log    *slog.Logger
}

// newRunner checks opts and fills in defaults.
func newRunner(flow *oauth2client.Flow, opts *Options) (*runner, error) {
	r := &runner{flow: flow}
	if opts != nil {
		r.o = *opts
	}
	o := &r.o
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.OpenBrowser == nil {
		o.OpenBrowser = openBrowser
	}
	r.log = o.Logger
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	cfgRedirect, _ := url.Parse(flow.Config().RedirectURL)
	loopbackCfg := cfgRedirect != nil && cfgRedirect.Scheme == "http" && urlpolicy.IsLoopbackHost(cfgRedirect.Hostname())
	switch h := strings.TrimSuffix(strings.TrimPrefix(o.HostName, "["), "]"); h {
	case "":
		r.host, r.listen = DefaultHostName, DefaultHostName
	case "localhost":
		r.host, r.listen = "localhost", "127.0.0.1"
	default:
		ip := net.ParseIP(h)
		if ip == nil || !urlpolicy.IsLoopbackHost(h) {
			return nil, fmt.Errorf("tools: Options.HostName %q is not a loopback host (use 127.0.0.1, localhost or ::1)", o.HostName)
		}
		r.listen = ip.String()
		r.host = ip.String()
		if ip.To4() == nil {
			r.host = "[" + r.host + "]"
		}
	}
	for i, p := range o.Ports {
		if p < 0 || p > 65535 {
			return nil, fmt.Errorf("tools: Options.Ports[%d]: %d is not a port number", i, p)
		}
	}
	r.path = o.CallbackPath
	if r.path == "" {
		r.path = "/"
		if loopbackCfg && cfgRedirect.Path != "" {
			r.path = cfgRedirect.Path
		}
	}
	if !strings.HasPrefix(r.path, "/") {
		return nil, fmt.Errorf("tools: Options.CallbackPath %q does not start with /", o.CallbackPath)
	}
	return r, nil
}

// run chooses the way to get credentials.
func (r *runner) run(ctx context.Context) (*oauth2client.Credentials, error) {
	hasDevice := r.flow.Config().Endpoint.DeviceAuthURL != ""
	if r.o.Device {
		if !hasDevice {
			return nil, noDeviceFlowError(r.flow.Config().Endpoint)
		}
		return r.device(ctx)
	}
	if !r.o.NoLocalWebServer {
		ln, err := r.listenLoopback()
		if err == nil {
			return r.loopback(ctx, ln)
		}
		r.log.Warn("no local web server", "err", err)
		fmt.Fprintf(r.o.Stderr, "Cannot start a local web server (%v); falling back.\n", err)
	}
	if hasDevice {
		return r.device(ctx)
	}
	return r.paste(ctx)
}

// noDeviceFlowError says that the server named by ep offers no device
// flow, in words for people rather than field names.
func noDeviceFlowError(ep oauth2client.Endpoint) error {
	who := "the authorization server"
	switch {
	case ep.Issuer != "":
		who = "the issuer " + urlpolicy.RedactURL(ep.Issuer)
	case ep.TokenURL != "":
		who = "the server at " + urlpolicy.RedactURL(ep.TokenURL)
	}
	return fmt.Errorf("tools: the device flow was asked for, but %s offers no device flow (no device_authorization_endpoint)", who)
}

// listenLoopback listens on the first free configured port, or an
// ephemeral one.
func (r *runner) listenLoopback() (net.Listener, error) {
	ports := r.o.Ports
	if len(ports) == 0 {
		ports = []int{0}
	}
	var errs []error
	for _, p := range ports {
		ln, err := net.Listen("tcp", net.JoinHostPort(r.listen, strconv.Itoa(p)))
		if err == nil {
			return ln, nil
		}
		r.log.Debug("port busy", "port", p, "err", err)
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("tools: listen on %s: %w", r.listen, errors.Join(errs...))
}

// start begins an authorization with redirectURL on a private copy of the
// flow, so the caller's flow keeps no pending state.
func (r *runner) start(ctx context.Context, redirectURL string) (*oauth2client.Flow, *oauth2client.AuthState, error) {
	opts := append(append([]oauth2client.AuthCodeOption{}, r.o.AuthCodeOptions...), oauth2client.WithRedirectURL(redirectURL))
	st, err := r.flow.Start(ctx, opts...)
	if err != nil {
		return nil, nil, err
	}
	pf, err := r.flow.Resume(st)
	if err != nil {
		return nil, nil, err
	}
	return pf, st, nil
}

// prompt prints the authorization URL on a line of its own and opens the
// browser unless told not to. With NoLocalWebServer the browser is taken to
// be on another machine, so none is opened here either.
func (r *runner) prompt(authURL, after string) {
	if r.o.NoBrowser || r.o.NoLocalWebServer {
		fmt.Fprintf(r.o.Stderr, "Go to the following link in your browser:\n\n%s\n\n%s", authURL, after)
		return
	}
	fmt.Fprintf(r.o.Stderr, "Your browser has been opened to visit:\n\n%s\n\n%s", authURL, after)
	if err := r.o.OpenBrowser(authURL); err != nil {
		r.log.Warn("cannot open a browser", "err", err)
		fmt.Fprintf(r.o.Stderr, "Could not open a browser (%v): open the link above yourself.\n", err)
	}
}

// callbackResult is what the loopback server received and made of it.
type callbackResult struct {
	creds *oauth2client.Credentials
	err   error
}

// loopback runs the loopback redirect flow on ln (RFC 8252 §7.3).
func (r *runner) loopback(ctx context.Context, ln net.Listener) (*oauth2client.Credentials, error) {
	port := ln.Addr().(*net.TCPAddr).Port
	redirect := "http://" + r.host + ":" + strconv.Itoa(port) + r.path
	pf, st, err := r.start(ctx, redirect)
	if err != nil {
		ln.Close()
		return nil, err
	}
	r.log.Info("waiting for the redirect", "addr", ln.Addr().String(), "redirect_uri", redirect)

	waitCtx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	results := make(chan callbackResult, 1)
	h := &callbackHandler{r: r, ctx: waitCtx, flow: pf, state: st.State, results: results}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: 64 << 10}
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	defer func() {
		sctx, scancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer scancel()
		if srv.Shutdown(sctx) != nil {
			srv.Close()
		}
		<-served
	}()

	r.prompt(st.URL, "")
	select {
	case res := <-results:
		return res.creds, res.err
	case <-waitCtx.Done():
		return nil, r.waitError(ctx, "the browser's redirect")
	}
}

// waitError reports why a wait ended: ctx's error, or a timeout.
func (r *runner) waitError(ctx context.Context, what string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("tools: waiting for %s: %w", what, err)
	}
	return fmt.Errorf("tools: no answer within %v while waiting for %s: %w", r.o.Timeout, what, context.DeadlineExceeded)
}

// callbackHandler serves the loopback redirect URI.
type callbackHandler struct {
	r       *runner
	ctx     context.Context // the wait's; the handler only lives within it
	flow    *oauth2client.Flow
	state   string
	results chan<- callbackResult

	mu   sync.Mutex // guards done
	done bool       // a callback was decided
}

// ServeHTTP answers the redirect: other paths and requests without
// callback parameters get 404 (browsers ask for /favicon.ico); a wrong
// state gets an error page and the wait goes on; anything else ends it.
func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	q := req.URL.Query()
	if req.Method != http.MethodGet || req.URL.Path != h.r.path ||
		!(q.Has("code") || q.Has("error") || q.Has("state")) {
		http.NotFound(w, req)
		return
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(h.state)) != 1 {
		h.r.log.Warn("callback with a wrong state ignored")
		page(w, http.StatusBadRequest, "The authentication flow failed: the state parameter does not match (RFC 6749 §10.12). Start again from the application.")
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		page(w, http.StatusOK, "The authentication flow has already completed. You may close this window.")
		return
	}
	h.done = true
	creds, err := h.flow.ExchangeCallback(h.ctx, q)
	if err != nil {
		h.r.log.Warn("authorization failed", "err", err)
		page(w, http.StatusBadRequest, "The authentication flow failed: "+failure(err)+"\nYou may close this window.")
	} else {
		h.r.log.Info("authorization code exchanged")
		page(w, http.StatusOK, SuccessPage)
	}
	h.results <- callbackResult{creds, err}
}

// failure describes err for the error page, without secrets.
func failure(err error) string {
	var ae *oauth2client.AuthorizationError
	if errors.As(err, &ae) {
		s := urlpolicy.Clip(ae.Code, 64)
		if ae.Description != "" {
			s += ": " + urlpolicy.Clip(ae.Description, 200)
		}
		return s
	}
	return urlpolicy.Clip(err.Error(), 300)
}

// page writes a plain-text page.
func page(w http.ResponseWriter, status int, text string) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	io.WriteString(w, text+"\n")
}

// device runs the device flow (RFC 8628).
func (r *runner) device(ctx context.Context) (*oauth2client.Credentials, error) {
	da, err := r.flow.DeviceAuth(ctx, r.o.AuthCodeOptions...)
	if err != nil {
		return nil, err
	}
	r.log.Info("device authorization started", "device", da)
	fmt.Fprintf(r.o.Stderr, "To sign in, visit:\n\n%s\n\nand enter the code: %s\n\n", da.VerificationURI, da.UserCode)
	if da.VerificationURIComplete != "" {
		fmt.Fprintf(r.o.Stderr, "Or visit this link, which carries the code:\n\n%s\n\n", da.VerificationURIComplete)
	}
	if r.o.QRCode {
		link := cmp.Or(da.VerificationURIComplete, da.VerificationURI)
		if qr, err := terminalQRCode(link); err != nil {
			r.log.Warn("cannot draw the QR code", "err", err)
		} else {
			fmt.Fprintf(r.o.Stderr, "Or scan:\n\n%s\n", qr)
		}
	}
	if !da.Expiry.IsZero() {
		fmt.Fprintf(r.o.Stderr, "Waiting for approval (the code expires in %v)...\n", time.Duration(da.ExpiresIn)*time.Second)
	}
	creds, err := r.flow.PollDevice(ctx, da)
	if err != nil {
		return nil, err
	}
	return creds, nil
}

// paste runs the flow without a local server: the user pastes the URL the
// browser was finally sent to, or the code.
func (r *runner) paste(ctx context.Context) (*oauth2client.Credentials, error) {
	redirect := r.flow.Config().RedirectURL
	if redirect == "" {
		redirect = "http://" + r.host
		if len(r.o.Ports) > 0 && r.o.Ports[0] != 0 {
			redirect += ":" + strconv.Itoa(r.o.Ports[0])
		}
		redirect += r.path
	}
	pf, st, err := r.start(ctx, redirect)
	if err != nil {
		return nil, err
	}
	r.prompt(st.URL, "After approving, your browser is sent to a page that may not load.\n"+
		"Copy the whole address of that page (or just the code) and paste it here:\n")

	waitCtx, cancel := context.WithTimeout(ctx, r.o.Timeout)
	defer cancel()
	lines := make(chan string, 1)
	errc := make(chan error, 1)
	go func() {
		// A read from a terminal cannot be interrupted: on ctx's end
		// RunFlow returns and this goroutine ends with the next line.
		line, err := bufio.NewReaderSize(io.LimitReader(r.o.Stdin, maxPasted), 4096).ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			errc <- err
			return
		}
		lines <- strings.TrimSpace(line)
	}()
	var line string
	select {
	case line = <-lines:
	case err := <-errc:
		return nil, fmt.Errorf("tools: reading the pasted answer: %w", err)
	case <-waitCtx.Done():
		return nil, r.waitError(ctx, "the pasted answer")
	}
	query, code, err := parsePasted(line)
	if err != nil {
		return nil, err
	}
	var creds *oauth2client.Credentials
	if query != nil {
		creds, err = pf.ExchangeCallback(ctx, query)
	} else {
		creds, err = pf.Exchange(ctx, code)
	}
	if err != nil {
		return nil, err
	}
	return creds, nil
}

// parsePasted reads what the user pasted: a URL or query with the
// callback parameters, or a bare code.
func parsePasted(s string) (url.Values, string, error) {
	if s == "" {
		return nil, "", errors.New("tools: nothing was pasted")
	}
	raw := s
	if i := strings.IndexByte(s, '?'); i >= 0 {
		raw = s[i+1:]
	} else if !strings.Contains(s, "=") {
		if strings.ContainsAny(s, " \t") || strings.Contains(s, "://") {
			return nil, "", errors.New("tools: the pasted text is neither a URL with a code nor a code")
		}
		return nil, s, nil
	}
	raw, _, _ = strings.Cut(raw, "#")
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, "", fmt.Errorf("tools: the pasted URL's query is malformed: %w", err)
	}
	if !q.Has("code") && !q.Has("error") {
		return nil, "", errors.New("tools: the pasted URL has neither a code nor an error parameter")
	}
	return q, "", nil
}
