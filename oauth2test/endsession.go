package oauth2test

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// PathEndSession is the RP-initiated logout endpoint (OpenID Connect
// RP-Initiated Logout 1.0 §2), relative to the issuer URL.
const PathEndSession = "/logout"

// serveEndSession is the end-session endpoint. An id_token_hint must be an
// ID token this server signed (expired ones are fine, §2); its audience is
// the client, and client_id, if also given, must equal it. A
// post_logout_redirect_uri must be registered for that client; the user is
// then sent there with the state, else shown a page. The server keeps no
// login sessions, so there is nothing else to end.
func (s *Server) serveEndSession(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k, v := range q {
		if len(v) > 1 {
			errorPage(w, http.StatusBadRequest, "Parameter "+k+" is repeated.")
			return
		}
	}
	clientID := q.Get("client_id")
	if hint := q.Get("id_token_hint"); hint != "" {
		aud, ok := s.idTokenAudience(hint)
		if !ok {
			errorPage(w, http.StatusBadRequest, "The id_token_hint is not an ID token of this server.")
			return
		}
		if clientID != "" && clientID != aud {
			errorPage(w, http.StatusBadRequest, "The client_id is not the audience of the id_token_hint.")
			return
		}
		clientID = aud
	}
	redirect := q.Get("post_logout_redirect_uri")
	if redirect == "" {
		setPageHeaders(w)
		w.WriteHeader(http.StatusOK)
		w.Write([]byte("<!DOCTYPE html><title>oauth2test: logged out</title><p>You are logged out.</p>\n"))
		return
	}
	s.mu.Lock()
	c := s.clients[clientID]
	s.mu.Unlock()
	if c == nil || !c.redirectAllowed(redirect) {
		errorPage(w, http.StatusBadRequest, "The post_logout_redirect_uri is not registered for this client (or no client was named).")
		return
	}
	u, err := url.Parse(redirect)
	if err != nil {
		errorPage(w, http.StatusBadRequest, "Invalid post_logout_redirect_uri.")
		return
	}
	if st := q.Get("state"); st != "" {
		v := u.Query()
		v.Set("state", st)
		u.RawQuery = v.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// idTokenAudience verifies that raw is an ID token signed by the server
// and returns its (single) audience.
func (s *Server) idTokenAudience(raw string) (string, bool) {
	set, err := jose.NewKeySet(
		jose.Key{KID: s.keyID, Alg: jose.RS256, Public: &s.key.PublicKey},
		jose.Key{KID: s.keyID + "-es256", Alg: jose.ES256, Public: &s.ecKey.PublicKey},
	)
	if err != nil {
		return "", false
	}
	payload, _, err := jose.Verify(raw, []string{jose.RS256, jose.ES256}, set)
	if err != nil {
		return "", false
	}
	var claims struct {
		Iss string `json:"iss"`
		Aud string `json:"aud"`
	}
	if json.Unmarshal(payload, &claims) != nil || claims.Iss != s.URL || claims.Aud == "" {
		return "", false
	}
	return claims.Aud, true
}
