package oauth2test

import (
	"net/http"
	"slices"
	"strconv"
)

// serveRevoke is the revocation endpoint (RFC 7009). The token comes in
// the POST body or, as Google's endpoint also accepts, in the query string
// (GET or POST). Client authentication is checked when present; revoking a
// refresh token revokes its access tokens too. Unknown tokens are answered
// with 200 (RFC 7009 §2.2).
func (s *Server) serveRevoke(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		writeOAuthError(w, &oauthError{http.StatusMethodNotAllowed, "invalid_request", "use POST"})
		return
	}
	c, ok := s.formClient(w, r, true)
	if !ok {
		return
	}
	tok := r.Form.Get("token")
	if tok == "" {
		writeOAuthError(w, invalidRequest("missing token"))
		return
	}
	clientID := ""
	if c != nil {
		clientID = c.ID
	}
	s.mu.Lock()
	known, owned := s.revokeToken(tok, clientID)
	s.mu.Unlock()
	if known && !owned {
		writeOAuthError(w, &oauthError{http.StatusBadRequest, "unauthorized_client", "token was issued to another client"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}

// serveTokenInfo answers like Google's tokeninfo endpoint: GET or POST with
// access_token, answering its scope, expiry, audience and user, with exp
// and expires_in as strings as Google sends them.
func (s *Server) serveTokenInfo(w http.ResponseWriter, r *http.Request) {
	if e := parseForm(r); e != nil {
		writeOAuthError(w, e)
		return
	}
	tok := r.Form.Get("access_token")
	s.mu.Lock()
	t := s.validAccess(tok)
	now := s.now()
	s.mu.Unlock()
	if t == nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_token", "error_description": "Invalid Value"})
		return
	}
	g := t.grant
	info := map[string]string{
		"azp":        g.clientID,
		"aud":        g.clientID,
		"scope":      scopeString(t.scopes),
		"exp":        strconv.FormatInt(t.expiry.Unix(), 10),
		"expires_in": strconv.FormatInt(int64(t.expiry.Sub(now).Seconds()), 10),
	}
	if g.user != "" {
		info["sub"] = g.user
		info["email"] = emailOf(g.user)
		info["email_verified"] = "true"
	} else {
		info["sub"] = g.clientID
	}
	writeJSON(w, http.StatusOK, info)
}

// serveIntrospect is the introspection endpoint (RFC 7662). It needs client
// authentication; any registered confidential or public client may ask.
func (s *Server) serveIntrospect(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.formClient(w, r, false); !ok {
		return
	}
	tok := r.PostForm.Get("token")
	if tok == "" {
		writeOAuthError(w, invalidRequest("missing token"))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var g *grant
	out := map[string]any{"active": true, "iss": s.URL}
	if at := s.validAccess(tok); at != nil {
		g = at.grant
		out["token_type"] = "Bearer"
		if at.jkt != "" {
			out["token_type"] = "DPoP"
			out["cnf"] = map[string]string{"jkt": at.jkt}
		}
		if at.x5t != "" {
			out["cnf"] = map[string]string{"x5t#S256": at.x5t}
		}
		out["scope"] = scopeString(at.scopes)
		out["exp"] = at.expiry.Unix()
		out["iat"] = at.issued.Unix()
	} else if rt := s.validRefresh(tok); rt != nil {
		g = rt.grant
		out["token_type"] = "refresh_token"
		out["scope"] = scopeString(g.scopes)
		out["iat"] = rt.issued.Unix()
	} else {
		writeJSON(w, http.StatusOK, map[string]bool{"active": false})
		return
	}
	out["client_id"] = g.clientID
	out["aud"] = g.clientID
	if at := s.validAccess(tok); at != nil && len(at.audience) > 0 {
		out["aud"] = at.audience
	}
	if g.user != "" {
		out["sub"] = g.user
		out["username"] = g.user
	} else {
		out["sub"] = g.clientID
	}
	writeJSON(w, http.StatusOK, out)
}

// bearerUser checks the request's access token (Bearer, or DPoP with its
// proof) and returns its grant, or writes a 401 and returns nil.
func (s *Server) bearerUser(w http.ResponseWriter, r *http.Request) (*grant, []string) {
	t := s.resourceToken(w, r)
	if t == nil {
		return nil, nil
	}
	return t.grant, t.scopes
}

// serveUserInfo is the OpenID Connect UserInfo endpoint (OIDC Core §5.3).
// The token must carry the openid scope.
func (s *Server) serveUserInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	g, scopes := s.bearerUser(w, r)
	if g == nil {
		return
	}
	if g.user == "" || !slices.Contains(scopes, "openid") {
		bearerError(w, http.StatusForbidden, "insufficient_scope", "the access token lacks the openid scope")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"sub":            g.user,
		"name":           g.user,
		"email":          emailOf(g.user),
		"email_verified": true,
	})
}

// serveCalendarList is a protected sample API shaped like Google Calendar
// API v3's calendarList.list, answering for the token's user.
func (s *Server) serveCalendarList(w http.ResponseWriter, r *http.Request) {
	g, _ := s.bearerUser(w, r)
	if g == nil {
		return
	}
	id, name := g.clientID, g.clientID
	if g.user != "" {
		id, name = emailOf(g.user), g.user
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"kind": "calendar#calendarList",
		"items": []map[string]any{{
			"kind":       "calendar#calendarListEntry",
			"id":         id,
			"summary":    name,
			"primary":    true,
			"accessRole": "owner",
		}},
	})
}
