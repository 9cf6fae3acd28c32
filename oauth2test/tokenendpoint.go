package oauth2test

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
)

// serveToken is the token endpoint (RFC 6749 §3.2).
// The JWT-bearer grant authenticates with its assertion; a client is
// optional there.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if e := parseForm(r); e != nil {
		writeOAuthError(w, e)
		return
	}
	c, ok := s.formClient(w, r, r.PostForm.Get("grant_type") == GrantTypeJWTBearer)
	if !ok {
		return
	}
	jkt, ok := s.tokenProof(w, r)
	if !ok || !s.refreshCertificate(w, r) {
		return
	}
	var (
		resp any // a *tokenResponse, or the JWT-bearer grant's ID token answer
		e    *oauthError
	)
	switch gt := r.PostForm.Get("grant_type"); gt {
	case "authorization_code":
		resp, e = s.exchangeCode(r, c)
	case "refresh_token":
		resp, e = s.refreshGrant(r, c)
	case "client_credentials":
		resp, e = s.clientCredentials(r, c)
	case GrantTypeDeviceCode:
		resp, e = s.deviceGrant(r, c)
	case GrantTypeJWTBearer:
		resp, e = s.jwtBearer(r)
	case GrantTypeTokenExchange:
		resp, e = s.tokenExchange(r, c)
	case "":
		e = invalidRequest("missing grant_type")
	default:
		e = &oauthError{http.StatusBadRequest, "unsupported_grant_type", "unsupported grant_type"}
	}
	if e != nil {
		writeOAuthError(w, e)
		return
	}
	s.bindDPoP(resp, jkt)
	s.bindCertificate(resp, r)
	writeJSON(w, http.StatusOK, resp)
}

// exchangeCode is the authorization_code grant (RFC 6749 §4.1.3, RFC 7636
// §4.6).
func (s *Server) exchangeCode(r *http.Request, c *Client) (*tokenResponse, *oauthError) {
	f := r.PostForm
	code := f.Get("code")
	if code == "" {
		return nil, invalidRequest("missing code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ac, ok := s.codes[code]
	switch {
	case !ok:
		return nil, invalidGrant("unknown authorization code")
	case ac.used:
		// RFC 6749 §4.1.2: revoke what the code gave on reuse.
		if g := s.grants[ac.grantID]; g != nil {
			g.revoked = true
		}
		return nil, invalidGrant("authorization code already used")
	case !s.now().Before(ac.expiry):
		return nil, invalidGrant("authorization code expired")
	case ac.req.client.ID != c.ID:
		return nil, invalidGrant("authorization code was issued to another client")
	case ac.req.redirectGiven && f.Get("redirect_uri") != ac.req.redirectURI:
		return nil, invalidGrant("redirect_uri does not match the authorization request")
	}
	verifier := f.Get("code_verifier")
	switch {
	case ac.req.challenge == "" && verifier != "":
		return nil, invalidGrant("code_verifier sent but the authorization request had no code_challenge")
	case ac.req.challenge != "" && verifier == "":
		return nil, invalidGrant("missing code_verifier")
	case ac.req.challenge != "" && !pkceRE().MatchString(verifier):
		return nil, invalidGrant("malformed code_verifier")
	case ac.req.challenge != "" && !pkceMatches(verifier, ac.req.challenge, ac.req.method):
		return nil, invalidGrant("code_verifier does not match code_challenge")
	}
	ac.used = true
	g := s.newGrant(c.ID, ac.user, ac.req.scopes)
	ac.grantID = g.id
	return s.tokens(g, g.scopes, ac.req.nonce, true)
}

// pkceMatches checks a PKCE verifier against a challenge (RFC 7636 §4.6).
func pkceMatches(verifier, challenge, method string) bool {
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

// refreshGrant is the refresh_token grant (RFC 6749 §6).
func (s *Server) refreshGrant(r *http.Request, c *Client) (*tokenResponse, *oauthError) {
	tok := r.PostForm.Get("refresh_token")
	if tok == "" {
		return nil, invalidRequest("missing refresh_token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := s.validRefresh(tok)
	switch {
	case rt == nil && s.rotated[tok]:
		return nil, invalidGrant("refresh token was rotated and no longer works")
	case rt == nil:
		return nil, invalidGrant("unknown or revoked refresh token")
	case rt.grant.clientID != c.ID:
		return nil, invalidGrant("refresh token was issued to another client")
	}
	scopes := rt.grant.scopes
	if sc := r.PostForm.Get("scope"); sc != "" {
		scopes = strings.Fields(sc)
		for _, x := range scopes {
			if !slices.Contains(rt.grant.scopes, x) {
				return nil, &oauthError{http.StatusBadRequest, "invalid_scope", "scope exceeds the original grant"}
			}
		}
	}
	resp, e := s.tokens(rt.grant, scopes, "", false)
	if e == nil && s.opts.RotateRefreshTokens {
		delete(s.refresh, tok)
		s.rotated[tok] = true
		resp.RefreshToken = s.issueRefresh(rt.grant)
	}
	return resp, e
}

// clientCredentials is the client_credentials grant (RFC 6749 §4.4).
func (s *Server) clientCredentials(r *http.Request, c *Client) (*tokenResponse, *oauthError) {
	if c.public() {
		return nil, &oauthError{http.StatusBadRequest, "unauthorized_client", "public clients cannot use client_credentials"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.newGrant(c.ID, "", strings.Fields(r.PostForm.Get("scope")))
	at, _ := s.issueAccess(g, g.scopes, s.opts.TokenTTL)
	return &tokenResponse{
		AccessToken: at,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.opts.TokenTTL.Seconds()),
		Scope:       scopeString(g.scopes),
	}, nil
}

// tokens issues an access token with scopes for g, a refresh token if
// withRefresh, and an ID token if the grant has the openid scope. Callers
// hold s.mu.
func (s *Server) tokens(g *grant, scopes []string, nonce string, withRefresh bool) (*tokenResponse, *oauthError) {
	at, _ := s.issueAccess(g, scopes, s.opts.TokenTTL)
	resp := &tokenResponse{
		AccessToken: at,
		TokenType:   "Bearer",
		ExpiresIn:   int64(s.opts.TokenTTL.Seconds()),
		Scope:       scopeString(scopes),
	}
	if withRefresh {
		resp.RefreshToken = s.issueRefresh(g)
	}
	if slices.Contains(g.scopes, "openid") {
		id, err := s.idToken(g, nonce)
		if err != nil {
			return nil, &oauthError{http.StatusInternalServerError, "server_error", "cannot sign ID token"}
		}
		resp.IDToken = id
	}
	return resp, nil
}
