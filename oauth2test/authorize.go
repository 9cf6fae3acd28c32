package oauth2test

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// serveDiscovery answers both OpenID Connect Discovery 1.0 §4 and RFC 8414
// metadata requests with the same document.
func (s *Server) serveDiscovery(w http.ResponseWriter, r *http.Request) {
	u := s.URL
	doc := map[string]any{
		"issuer":                                         u,
		"authorization_endpoint":                         u + PathAuthorize,
		"token_endpoint":                                 u + PathToken,
		"device_authorization_endpoint":                  u + PathDeviceCode,
		"jwks_uri":                                       u + PathJWKS,
		"revocation_endpoint":                            u + PathRevoke,
		"introspection_endpoint":                         u + PathIntrospect,
		"userinfo_endpoint":                              u + PathUserInfo,
		"pushed_authorization_request_endpoint":          u + PathPAR,
		"require_pushed_authorization_requests":          s.opts.RequirePAR,
		"end_session_endpoint":                           u + PathEndSession,
		"request_parameter_supported":                    true,
		"request_object_signing_alg_values_supported":    requestObjectAlgs,
		"token_endpoint_auth_methods_supported":          []string{AuthMethodBasic, AuthMethodPost, AuthMethodNone, AuthMethodPrivateKeyJWT, AuthMethodSecretJWT},
		"revocation_endpoint_auth_methods_supported":     []string{AuthMethodBasic, AuthMethodPost, AuthMethodNone, AuthMethodPrivateKeyJWT, AuthMethodSecretJWT},
		"introspection_endpoint_auth_methods_supported":  []string{AuthMethodBasic, AuthMethodPost, AuthMethodNone, AuthMethodPrivateKeyJWT, AuthMethodSecretJWT},
		"code_challenge_methods_supported":               []string{"S256", "plain"},
		"grant_types_supported":                          []string{"authorization_code", "refresh_token", "client_credentials", GrantTypeDeviceCode, GrantTypeJWTBearer},
		"response_types_supported":                       []string{"code"},
		"response_modes_supported":                       []string{"query"},
		"scopes_supported":                               []string{"openid", "email", "profile", "offline_access", "https://www.googleapis.com/auth/calendar.readonly"},
		"claims_supported":                               []string{"iss", "sub", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"},
		"authorization_response_iss_parameter_supported": true,
		"id_token_signing_alg_values_supported":          []string{"RS256", "ES256"},
		"subject_types_supported":                        []string{"public"},
		"dpop_signing_alg_values_supported":              dpopAlgs,
	}
	s.mtlsDiscovery(doc)
	writeJSON(w, http.StatusOK, doc)
}

// serveJWKS answers with the public key that signs ID tokens.
func (s *Server) serveJWKS(w http.ResponseWriter, r *http.Request) {
	body, err := jose.MarshalKeySet(
		jose.Key{KID: s.keyID, Alg: jose.RS256, Public: &s.key.PublicKey},
		jose.Key{KID: s.keyID + "-es256", Alg: jose.ES256, Public: &s.ecKey.PublicKey},
	)
	if err != nil {
		http.Error(w, "oauth2test: key set: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "max-age=3600")
	w.Write(body)
}

// pkceRE matches a code_challenge or code_verifier (RFC 7636 §4.1, §4.2).
var pkceRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9\-._~]{43,128}$`) })

// serveAuthorize handles an authorization request (RFC 6749 §4.1.1): it
// checks the client and redirect URI (showing an error page if they are
// wrong), then the rest (redirecting errors to the client), and then shows
// the consent page or approves at once.
func (s *Server) serveAuthorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Has("request_uri") {
		var ok bool
		if q, ok = s.pushedParams(w, r, q); !ok {
			return
		}
	} else if s.opts.RequirePAR {
		errorPage(w, http.StatusBadRequest, "This server requires pushed authorization requests (RFC 9126).")
		return
	}
	if q.Has("request") {
		var e *oauthError
		if q, e = s.requestObjectParams(q); e != nil {
			errorPage(w, http.StatusBadRequest, "Invalid request object: "+e.description+".")
			return
		}
	}
	for k, v := range q {
		if len(v) > 1 && (k == "client_id" || k == "redirect_uri") {
			errorPage(w, http.StatusBadRequest, "Parameter "+k+" is repeated.")
			return
		}
	}
	clientID := q.Get("client_id")
	s.mu.Lock()
	c := s.clients[clientID]
	s.mu.Unlock()
	if c == nil {
		errorPage(w, http.StatusBadRequest, "Unknown or missing client_id.")
		return
	}
	redirect, given := q.Get("redirect_uri"), q.Has("redirect_uri")
	if !given {
		if len(c.RedirectURIs) != 1 {
			errorPage(w, http.StatusBadRequest, "Missing redirect_uri.")
			return
		}
		redirect = c.RedirectURIs[0]
	}
	if !c.redirectAllowed(redirect) {
		errorPage(w, http.StatusBadRequest, "The redirect_uri is not registered for this client.")
		return
	}
	req := &authRequest{
		client:        c,
		redirectURI:   redirect,
		redirectGiven: given,
		scopes:        strings.Fields(q.Get("scope")),
		state:         q.Get("state"),
		nonce:         q.Get("nonce"),
		challenge:     q.Get("code_challenge"),
		method:        q.Get("code_challenge_method"),
		loginHint:     q.Get("login_hint"),
		dpopJKT:       q.Get("dpop_jkt"),
	}
	fail := func(code, desc string) { s.redirectError(w, r, req, code, desc) }
	for k, v := range q {
		if len(v) > 1 {
			fail("invalid_request", "parameter "+k+" repeated")
			return
		}
	}
	switch {
	case q.Get("response_type") == "":
		fail("invalid_request", "missing response_type")
		return
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", "only response_type=code is supported")
		return
	}
	if req.challenge != "" && req.method == "" {
		req.method = "plain" // RFC 7636 §4.3
	}
	switch {
	case req.method != "" && req.challenge == "":
		fail("invalid_request", "code_challenge_method without code_challenge")
		return
	case req.method != "" && req.method != "S256" && req.method != "plain":
		fail("invalid_request", "unsupported code_challenge_method")
		return
	case req.challenge != "" && !pkceRE().MatchString(req.challenge):
		fail("invalid_request", "malformed code_challenge")
		return
	case req.challenge == "" && c.public():
		fail("invalid_request", "public clients must use PKCE (code_challenge)")
		return
	}
	prompt := strings.Fields(q.Get("prompt"))
	if s.opts.AutoApprove {
		if slices.Contains(prompt, "consent") && slices.Contains(prompt, "none") {
			fail("invalid_request", "prompt=none with other values")
			return
		}
		user := req.loginHint
		if user == "" {
			user = s.opts.DefaultUser
		}
		s.approve(w, r, req, user, http.StatusFound)
		return
	}
	if slices.Contains(prompt, "none") {
		fail("consent_required", "the test server always asks for consent unless AutoApprove is set")
		return
	}
	id := randomString(24)
	s.mu.Lock()
	req.expiry = s.now().Add(s.opts.CodeTTL)
	s.pending[id] = req
	s.mu.Unlock()
	user := req.loginHint
	if user == "" {
		user = s.opts.DefaultUser
	}
	setPageHeaders(w)
	w.WriteHeader(http.StatusOK)
	consentTmpl().Execute(w, map[string]any{
		"Client":   c.ID,
		"Redirect": redirect,
		"Scopes":   req.scopes,
		"Request":  id,
		"User":     user,
	})
}

// serveConsent handles the consent form's POST: Allow issues a code, Deny
// redirects with access_denied.
func (s *Server) serveConsent(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "Malformed form.")
		return
	}
	id := r.PostForm.Get("request")
	s.mu.Lock()
	req, ok := s.pending[id]
	delete(s.pending, id)
	expired := ok && !s.now().Before(req.expiry)
	s.mu.Unlock()
	if !ok || expired {
		errorPage(w, http.StatusBadRequest, "Unknown, used or expired authorization request. Start again from the application.")
		return
	}
	switch r.PostForm.Get("action") {
	case "allow":
		user := strings.TrimSpace(r.PostForm.Get("user"))
		if user == "" {
			user = s.opts.DefaultUser
		}
		s.approve(w, r, req, user, http.StatusSeeOther)
	case "deny":
		s.redirectError(w, r, req, "access_denied", "the user denied the request")
	default:
		errorPage(w, http.StatusBadRequest, "Choose Allow or Deny.")
	}
}

// approve issues a code for req and user and redirects to the client.
func (s *Server) approve(w http.ResponseWriter, r *http.Request, req *authRequest, user string, status int) {
	code := "code-" + randomString(24)
	s.mu.Lock()
	s.codes[code] = &authCode{req: req, user: user, expiry: s.now().Add(s.opts.CodeTTL)}
	s.metrics.issued["code"]++
	s.mu.Unlock()
	v := url.Values{"code": {code}}
	s.redirect(w, r, req, v, status)
}

// redirectError sends an error response of RFC 6749 §4.1.2.1 to the client.
func (s *Server) redirectError(w http.ResponseWriter, r *http.Request, req *authRequest, code, desc string) {
	v := url.Values{"error": {code}}
	if desc != "" {
		v.Set("error_description", desc)
	}
	status := http.StatusFound
	if r.Method == http.MethodPost {
		status = http.StatusSeeOther
	}
	s.redirect(w, r, req, v, status)
}

// redirect sends the user agent to the request's redirect URI with v, the
// state and the issuer (RFC 9207) added to its query.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, req *authRequest, v url.Values, status int) {
	u, err := url.Parse(req.redirectURI)
	if err != nil {
		errorPage(w, http.StatusBadRequest, "Invalid redirect_uri.")
		return
	}
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	if req.state != "" {
		q.Set("state", req.state)
	}
	q.Set("iss", s.URL)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), status)
}

// setPageHeaders sets the headers of an HTML page.
func setPageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
}

// errorPage shows an error to the user instead of redirecting, for requests
// whose client or redirect URI cannot be trusted (RFC 6749 §4.1.2.1).
func errorPage(w http.ResponseWriter, status int, msg string) {
	setPageHeaders(w)
	w.WriteHeader(status)
	errorTmpl().Execute(w, msg)
}

const pageStyle = `<style>body{font-family:sans-serif;max-width:36em;margin:3em auto}` +
	`code{background:#eee;padding:0 .2em}button{font-size:1.1em;margin-right:1em}</style>`

// scopesFragment and approveFragment are the parts the consent page and
// the device confirmation page share: the scopes asked for, and the user
// name with the Allow and Deny buttons. Both templates' data have Scopes and
// User.
const (
	scopesFragment = `{{if .Scopes}}<p>It asks for:</p><ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>{{else}}<p>It asks for no scopes.</p>{{end}}
`
	approveFragment = `<p><label>Sign in as <input type="text" name="user" value="{{.User}}" autocomplete="off"></label></p>
<p><button type="submit" name="action" value="allow" id="allow">Allow</button>
<button type="submit" name="action" value="deny" id="deny">Deny</button></p>
`
)

var consentTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oauth2test: authorize</title>` + pageStyle + `</head>
<body>
<h1>Authorize <code>{{.Client}}</code>?</h1>
<p>This is oauth2test, an authorization server for tests and development.</p>
<p>The application will receive a code at <code>{{.Redirect}}</code>.</p>
` + scopesFragment + `<form method="post" action="/authorize">
<input type="hidden" name="request" value="{{.Request}}">
` + approveFragment + `</form>
</body></html>
`))
})

var errorTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oauth2test: error</title>` + pageStyle + `</head>
<body><h1>Authorization error</h1><p>{{.}}</p></body></html>
`))
})
