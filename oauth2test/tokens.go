package oauth2test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// grant ties together the tokens issued from one authorization (one code
// exchange, one MintToken call, or one client_credentials request).
// Revoking a refresh token revokes its grant and so every token of it.
type grant struct {
	id       string
	clientID string
	user     string // "" for client_credentials
	scopes   []string
	revoked  bool
	jkt      string // DPoP key thumbprint its refresh tokens are bound to
	x5t      string // client certificate its refresh tokens are bound to (public clients)
}

// authRequest is a pending authorization request waiting for consent.
type authRequest struct {
	client        *Client
	redirectURI   string
	redirectGiven bool
	scopes        []string
	state         string
	nonce         string
	challenge     string
	method        string
	loginHint     string
	dpopJKT       string // the DPoP key the code is bound to (RFC 9449 §10)
	expiry        time.Time
}

// authCode is an issued authorization code.
type authCode struct {
	req     *authRequest
	user    string
	expiry  time.Time
	used    bool
	grantID string // set once exchanged
}

// accessToken is an issued access token.
type accessToken struct {
	grant    *grant
	scopes   []string
	audience []string // set by token exchange; nil means the client
	issued   time.Time
	expiry   time.Time
	revoked  bool
	jkt      string // DPoP key thumbprint it is bound to (cnf.jkt)
	x5t      string // client certificate thumbprint it is bound to (cnf.x5t#S256)
}

// refreshToken is an issued refresh token.
type refreshToken struct {
	grant  *grant
	issued time.Time
}

// tokenResponse is the JSON body of a successful token response.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
}

// emailOf returns the email address of a user name.
func emailOf(user string) string {
	if strings.Contains(user, "@") {
		return user
	}
	return user + "@example.com"
}

// newGrant records a new grant. Callers hold s.mu.
func (s *Server) newGrant(clientID, user string, scopes []string) *grant {
	s.grantCount++
	g := &grant{id: strconv.Itoa(s.grantCount), clientID: clientID, user: user, scopes: slices.Clone(scopes)}
	s.grants[g.id] = g
	return g
}

// issueAccess issues an access token for g. Callers hold s.mu.
func (s *Server) issueAccess(g *grant, scopes []string, ttl time.Duration) (string, time.Time) {
	now := s.now()
	tok := "at-" + randomString(24)
	exp := now.Add(ttl)
	s.access[tok] = &accessToken{grant: g, scopes: slices.Clone(scopes), issued: now, expiry: exp}
	s.metrics.issued["access_token"]++
	return tok, exp
}

// issueRefresh issues a refresh token for g. Callers hold s.mu.
func (s *Server) issueRefresh(g *grant) string {
	tok := "rt-" + randomString(24)
	s.refresh[tok] = &refreshToken{grant: g, issued: s.now()}
	s.metrics.issued["refresh_token"]++
	return tok
}

// idToken signs an ID token for g, RS256 unless its client asks for ES256.
// Callers hold s.mu.
func (s *Server) idToken(g *grant, nonce string) (string, error) {
	now := s.now()
	claims := map[string]any{
		"iss":            s.URL,
		"sub":            g.user,
		"aud":            g.clientID,
		"azp":            g.clientID,
		"iat":            now.Unix(),
		"exp":            now.Add(s.opts.TokenTTL).Unix(),
		"email":          emailOf(g.user),
		"email_verified": true,
		"name":           g.user,
	}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	var raw string
	var err error
	if c := s.clients[g.clientID]; c != nil && c.IDTokenAlg == "ES256" {
		raw, err = jose.Sign(s.ecKey, s.keyID+"-es256", "JWT", claims)
	} else {
		raw, err = jose.Sign(s.key, s.keyID, "JWT", claims)
	}
	if err != nil {
		return "", fmt.Errorf("oauth2test: sign ID token: %w", err)
	}
	s.metrics.issued["id_token"]++
	return raw, nil
}

// MintIDToken signs an ID token for user (DefaultUser when empty) with
// clientID as its audience and the given nonce (none when empty), as the
// token endpoint would issue it, without an authorization. It verifies
// against the server's JWKS at [PathJWKS].
func (s *Server) MintIDToken(clientID, user, nonce string) (string, error) {
	if user == "" {
		user = s.opts.DefaultUser
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.idToken(&grant{clientID: clientID, user: user}, nonce)
}

// validAccess returns the access token's record if it is known, not
// revoked, of a live grant, and not expired. Callers hold s.mu.
func (s *Server) validAccess(tok string) *accessToken {
	t, ok := s.access[tok]
	if !ok || t.revoked || t.grant.revoked || !s.now().Before(t.expiry) {
		return nil
	}
	return t
}

// validRefresh returns the refresh token's record if it is known and of a
// live grant. Callers hold s.mu.
func (s *Server) validRefresh(tok string) *refreshToken {
	t, ok := s.refresh[tok]
	if !ok || t.grant.revoked {
		return nil
	}
	return t
}

// MintToken issues an access token and a refresh token for user (a client
// credentials token if user is empty) to clientID with scopes, as if the
// user had approved an authorization request, without a browser. A ttl of
// zero means Options.TokenTTL. The client need not be registered, though
// refreshing needs it to be.
func (s *Server) MintToken(clientID, user string, scopes []string, ttl time.Duration) (access, refresh string) {
	if ttl <= 0 {
		ttl = s.opts.TokenTTL
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.newGrant(clientID, user, scopes)
	access, _ = s.issueAccess(g, scopes, ttl)
	return access, s.issueRefresh(g)
}

// revokeToken revokes an access token (that token only) or a refresh token
// (its whole grant). It reports whether the token was known and whether it
// belonged to clientID ("" matches any). Callers hold s.mu.
func (s *Server) revokeToken(tok, clientID string) (known, owned bool) {
	if t, ok := s.access[tok]; ok {
		if clientID != "" && t.grant.clientID != clientID {
			return true, false
		}
		t.revoked = true
		s.metrics.revoked["access_token"]++
		return true, true
	}
	if t, ok := s.refresh[tok]; ok {
		if clientID != "" && t.grant.clientID != clientID {
			return true, false
		}
		t.grant.revoked = true
		delete(s.refresh, tok)
		s.metrics.revoked["refresh_token"]++
		return true, true
	}
	return false, false
}
