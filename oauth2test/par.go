package oauth2test

import (
	"net/http"
	"net/url"
	"time"
)

// PathPAR is the pushed authorization request endpoint (RFC 9126),
// relative to the issuer URL.
const PathPAR = "/par"

// DefaultPARTTL is how long a request_uri of the PAR endpoint stays usable
// when Options.PARTTL is zero (RFC 9126 §2.2 suggests a short life).
const DefaultPARTTL = 60 * time.Second

// requestURIPrefix begins every request_uri the server issues (RFC 9126
// §2.2).
const requestURIPrefix = "urn:ietf:params:oauth:request_uri:"

// pushedRequest is an authorization request pushed to the PAR endpoint.
type pushedRequest struct {
	clientID string
	params   url.Values
	expiry   time.Time
}

// parTTL is the lifetime of request_uris.
func (s *Server) parTTL() time.Duration {
	if s.opts.PARTTL > 0 {
		return s.opts.PARTTL
	}
	return DefaultPARTTL
}

// servePAR is the pushed authorization request endpoint (RFC 9126 §2): it
// authenticates the client as the token endpoint does, keeps the
// authorization parameters under a new single-use request_uri and answers
// 201 with it and its lifetime.
func (s *Server) servePAR(w http.ResponseWriter, r *http.Request) {
	c, ok := s.formClient(w, r, false)
	if !ok {
		return
	}
	params := url.Values{}
	for k, v := range r.PostForm {
		switch {
		case k == "client_secret" || k == "client_assertion" || k == "client_assertion_type":
			continue // client authentication, not part of the request
		case k == "request_uri":
			writeOAuthError(w, invalidRequest("request_uri must not be pushed (RFC 9126 §2.1)"))
			return
		case len(v) > 1:
			writeOAuthError(w, invalidRequest("parameter "+k+" repeated"))
			return
		}
		params[k] = v
	}
	if id := params.Get("client_id"); id != "" && id != c.ID {
		writeOAuthError(w, invalidRequest("client_id does not match the authenticated client"))
		return
	}
	params.Set("client_id", c.ID)
	if params.Has("request") {
		var e *oauthError
		if params, e = s.requestObjectParams(params); e != nil {
			writeOAuthError(w, e)
			return
		}
	}
	if redirect := params.Get("redirect_uri"); redirect != "" && !c.redirectAllowed(redirect) {
		writeOAuthError(w, invalidRequest("the redirect_uri is not registered for this client"))
		return
	}
	uri := requestURIPrefix + randomString(24)
	ttl := s.parTTL()
	s.mu.Lock()
	s.pushed[uri] = &pushedRequest{clientID: c.ID, params: params, expiry: s.now().Add(ttl)}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, map[string]any{
		"request_uri": uri,
		"expires_in":  int64(ttl / time.Second),
	})
}

// takePushed resolves the request_uri of an authorization request for
// clientID: the pushed parameters, once (RFC 9126 §4). An unknown, used or
// foreign request_uri returns ok false; an expired one returns its
// parameters (whose redirect URI the client authenticated when pushing)
// with expired true, so that the error can go back to the client.
func (s *Server) takePushed(uri, clientID string) (params url.Values, expired, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pushed[uri]
	if p == nil || p.clientID != clientID {
		return nil, false, false
	}
	delete(s.pushed, uri)
	return p.params, !s.now().Before(p.expiry), true
}

// pushedParams returns the pushed parameters of an authorization request
// carrying a request_uri (RFC 9126 §4), in place of its query. On failure
// it has answered: with an error page for a request_uri it does not know
// for the client, and with invalid_request_uri to the client's redirect URI
// for an expired one.
func (s *Server) pushedParams(w http.ResponseWriter, r *http.Request, q url.Values) (url.Values, bool) {
	params, expired, ok := s.takePushed(q.Get("request_uri"), q.Get("client_id"))
	if !ok {
		errorPage(w, http.StatusBadRequest, "Unknown or used request_uri for this client_id.")
		return nil, false
	}
	if !expired {
		return params, true
	}
	s.mu.Lock()
	c := s.clients[params.Get("client_id")]
	s.mu.Unlock()
	redirect := params.Get("redirect_uri")
	if c != nil && redirect == "" && len(c.RedirectURIs) == 1 {
		redirect = c.RedirectURIs[0]
	}
	if c == nil || redirect == "" {
		errorPage(w, http.StatusBadRequest, "The request_uri expired.")
		return nil, false
	}
	req := &authRequest{client: c, redirectURI: redirect, state: params.Get("state")}
	s.redirectError(w, r, req, "invalid_request_uri", "the request_uri expired")
	return nil, false
}
