package oauth2test

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// newHandler builds the server's handler: the endpoints, wrapped in request
// counting and fault injection.
func (s *Server) newHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathOIDCConfig, s.serveDiscovery)
	mux.HandleFunc("GET "+PathOAuthConfig, s.serveDiscovery)
	mux.HandleFunc("GET "+PathJWKS, s.serveJWKS)
	mux.HandleFunc("GET "+PathAuthorize, s.serveAuthorize)
	mux.Handle("POST "+PathAuthorize, http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.serveConsent)))
	mux.HandleFunc("POST "+PathToken, s.serveToken)
	mux.HandleFunc("POST "+PathDeviceCode, s.serveDeviceCode)
	mux.HandleFunc("POST "+PathPAR, s.servePAR)
	mux.HandleFunc("GET "+PathEndSession, s.serveEndSession)
	mux.HandleFunc("GET "+PathDevice, s.serveDevice)
	mux.Handle("POST "+PathDevice, http.NewCrossOriginProtection().Handler(http.HandlerFunc(s.serveDeviceDecision)))
	mux.HandleFunc(PathRevoke, s.serveRevoke)
	mux.HandleFunc(PathTokenInfo, s.serveTokenInfo)
	mux.HandleFunc("POST "+PathIntrospect, s.serveIntrospect)
	mux.HandleFunc(PathUserInfo, s.serveUserInfo)
	mux.HandleFunc("GET "+PathCalendarList, s.serveCalendarList)
	mux.HandleFunc("GET "+PathMetrics, s.serveMetrics)
	mux.HandleFunc("POST "+PathIAMServiceAccounts+"{call}", s.serveIAM)
	if s.opts.Metadata {
		s.registerMetadata(mux)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBody)
		grantType, isToken := "", r.URL.Path == PathToken && r.Method == http.MethodPost
		if isToken {
			// Peek now so the grant_type is counted even when a fault
			// answers in place of the endpoint.
			grantType = peekGrantType(r)
		}
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			s.mu.Lock()
			s.metrics.countRequest(r.URL.Path, sw.code())
			s.mu.Unlock()
		}()
		s.mu.Lock()
		if isToken {
			s.metrics.countToken(grantType)
		}
		f := s.takeFault(r.URL.Path, grantType)
		s.mu.Unlock()
		if f != nil && f.apply(sw, r) {
			return
		}
		mux.ServeHTTP(sw, r)
	})
}

// peekGrantType reads the (bounded) body of a token request, puts it back,
// and returns its grant_type parameter.
func peekGrantType(r *http.Request) string {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		return ""
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		return ""
	}
	v, _ := url.ParseQuery(string(body))
	return v.Get("grant_type")
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// statusWriter records the status code written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "oauth2test: encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// oauthError is an error response of RFC 6749 §5.2.
type oauthError struct {
	status      int
	code        string
	description string
}

// writeOAuthError writes e as a JSON error response.
func writeOAuthError(w http.ResponseWriter, e *oauthError) {
	if e.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Basic realm="oauth2test"`)
	}
	body := map[string]string{"error": e.code}
	if e.description != "" {
		body["error_description"] = e.description
	}
	writeJSON(w, e.status, body)
}

func invalidRequest(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_request", desc}
}

func invalidClient(desc string) *oauthError {
	return &oauthError{http.StatusUnauthorized, "invalid_client", desc}
}

func invalidGrant(desc string) *oauthError {
	return &oauthError{http.StatusBadRequest, "invalid_grant", desc}
}

// parseForm parses a POST form body, reporting an oauthError for bodies
// that are too large or malformed, and for repeated parameters (RFC 6749
// §3.2) other than audience and resource, which RFC 8693 §2.1 and RFC 8707
// §2 allow to repeat.
func parseForm(r *http.Request) *oauthError {
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return &oauthError{http.StatusRequestEntityTooLarge, "invalid_request", "request body too large"}
		}
		return invalidRequest("malformed form body")
	}
	for k, v := range r.Form {
		if len(v) > 1 && k != "audience" && k != "resource" {
			return invalidRequest("parameter " + k + " repeated")
		}
	}
	return nil
}

// formClient parses the form of a request to a client-authenticated
// endpoint (token, device authorization, revocation, introspection) and
// authenticates its client (see authenticateClient). On failure it writes
// the OAuth error and returns ok false.
func (s *Server) formClient(w http.ResponseWriter, r *http.Request, optional bool) (c *Client, ok bool) {
	if e := parseForm(r); e != nil {
		writeOAuthError(w, e)
		return nil, false
	}
	c, e := s.authenticateClient(r, optional)
	if e != nil {
		writeOAuthError(w, e)
		return nil, false
	}
	return c, true
}

// authenticateClient authenticates the client of a token, introspection or
// revocation request (RFC 6749 §2.3). With optional, a request carrying no
// client credentials at all returns (nil, nil).
func (s *Server) authenticateClient(r *http.Request, optional bool) (*Client, *oauthError) {
	if r.PostForm.Has("client_assertion") || r.PostForm.Has("client_assertion_type") {
		return s.assertionClient(r)
	}
	id, secret, basic := r.BasicAuth()
	if basic {
		var err1, err2 error
		id, err1 = url.QueryUnescape(id)
		secret, err2 = url.QueryUnescape(secret)
		if err1 != nil || err2 != nil {
			return nil, invalidClient("malformed Basic credentials")
		}
		if r.PostForm.Has("client_secret") {
			return nil, invalidRequest("more than one client authentication method")
		}
		if fid := r.PostForm.Get("client_id"); fid != "" && fid != id {
			return nil, invalidRequest("client_id does not match Basic credentials")
		}
	} else if h := r.Header.Get("Authorization"); h != "" && !strings.HasPrefix(strings.ToLower(h), "bearer ") {
		return nil, invalidClient("unsupported Authorization scheme")
	}
	method := AuthMethodBasic
	if !basic {
		id = r.PostForm.Get("client_id")
		secret = r.PostForm.Get("client_secret")
		method = AuthMethodPost
		if !r.PostForm.Has("client_secret") {
			method = AuthMethodNone
		}
	}
	if id == "" {
		if optional {
			return nil, nil
		}
		return nil, invalidClient("no client authentication")
	}
	s.mu.Lock()
	c, ok := s.clients[id]
	s.mu.Unlock()
	if !ok {
		return nil, invalidClient("unknown client")
	}
	if method == AuthMethodNone && c.tlsAuth() {
		if e := s.checkClientCert(r, c); e != nil {
			return nil, e
		}
		method = c.AuthMethod
	}
	if !c.methodAllowed(method) {
		return nil, invalidClient("client authenticated with " + method + ", which it is not registered for")
	}
	if method != AuthMethodNone && !c.tlsAuth() && subtle.ConstantTimeCompare([]byte(secret), []byte(c.Secret)) != 1 {
		return nil, invalidClient("wrong client secret")
	}
	return c, nil
}

// bearerToken returns the token of an "Authorization: Bearer" header, or "".
func bearerToken(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(tok)
}

// bearerError writes a 401 or 403 answer of RFC 6750 §3.
func bearerError(w http.ResponseWriter, status int, code, desc string) {
	v := `Bearer realm="oauth2test"`
	if code != "" {
		v += `, error="` + code + `"`
		if desc != "" {
			v += `, error_description="` + desc + `"`
		}
	}
	w.Header().Set("WWW-Authenticate", v)
	body := map[string]string{"error": code, "error_description": desc}
	if code == "" {
		body = map[string]string{"error": "unauthorized", "error_description": "missing bearer token"}
	}
	writeJSON(w, status, body)
}
