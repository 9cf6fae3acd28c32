package oauth2test

import (
	"net/http"
	"slices"
	"strings"
)

// GrantTypeTokenExchange is the grant_type of OAuth 2.0 Token Exchange
// (RFC 8693 §2.1).
const GrantTypeTokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange"

// TokenTypeAccessToken is the token type identifier of an access token
// (RFC 8693 §3), the issued_token_type of exchanged tokens unless the
// policy says otherwise.
const TokenTypeAccessToken = "urn:ietf:params:oauth:token-type:access_token"

// TokenExchangePolicy decides token exchange requests; see
// [Options.TokenExchange]. It is called without the server's lock held.
type TokenExchangePolicy func(*TokenExchangeRequest) TokenExchangeDecision

// TokenExchangeRequest is a token exchange request (RFC 8693 §2.1) from an
// authenticated client, as its policy sees it.
type TokenExchangeRequest struct {
	// ClientID is the client asking.
	ClientID string
	// SubjectToken and SubjectTokenType are subject_token and
	// subject_token_type.
	SubjectToken, SubjectTokenType string
	// Subject describes SubjectToken when it is a live access token this
	// server issued; nil otherwise (the policy may still accept the token,
	// naming its User).
	Subject *TokenExchangeSubject
	// ActorToken and ActorTokenType are actor_token and actor_token_type,
	// empty when the request has none.
	ActorToken, ActorTokenType string
	// Audience and Resource are the audience and resource parameters.
	Audience, Resource []string
	// Scopes are the scope parameter's scopes.
	Scopes []string
	// RequestedTokenType is requested_token_type, or "".
	RequestedTokenType string
}

// TokenExchangeSubject is what the server knows of a subject token it
// issued.
type TokenExchangeSubject struct {
	// ClientID is the client the token was issued to.
	ClientID string
	// User is the token's user; "" for a client credentials token.
	User string
	// Scopes are the token's scopes.
	Scopes []string
}

// TokenExchangeDecision is a policy's answer to a [TokenExchangeRequest].
type TokenExchangeDecision struct {
	// Deny, when not empty, refuses the request with this OAuth error
	// code, e.g. "invalid_target" (RFC 8693 §2.2.2), "unauthorized_client"
	// or "invalid_scope"; Description explains it.
	Deny, Description string
	// User is the issued token's user; "" means the subject token's. A
	// subject token the server did not issue needs a User.
	User string
	// Scopes are the issued token's scopes; nil means the requested ones,
	// or the subject token's when none were requested.
	Scopes []string
	// Audience is the issued token's audience, as introspection reports
	// it; nil means the requested audience, then the client.
	Audience []string
	// IssuedTokenType is the issued_token_type answered; "" means
	// [TokenTypeAccessToken]. Any other type is answered with token_type
	// "N_A".
	IssuedTokenType string
}

// AllowTokenExchange is a [TokenExchangePolicy] that allows any client to
// exchange a live access token the server issued for one of the same user
// with the requested audience and scopes, which must be among the subject
// token's ("invalid_scope" otherwise). Other subject tokens are refused
// with "invalid_grant".
func AllowTokenExchange(r *TokenExchangeRequest) TokenExchangeDecision {
	switch {
	case r.Subject == nil:
		return TokenExchangeDecision{Deny: "invalid_grant", Description: "subject_token is not a live token of this server"}
	case slices.ContainsFunc(r.Scopes, func(s string) bool { return !slices.Contains(r.Subject.Scopes, s) }):
		return TokenExchangeDecision{Deny: "invalid_scope", Description: "scope exceeds the subject token's"}
	}
	return TokenExchangeDecision{}
}

// tokenExchange is the token exchange grant (RFC 8693 §2), decided by
// Options.TokenExchange; without one the grant is unsupported.
func (s *Server) tokenExchange(r *http.Request, c *Client) (any, *oauthError) {
	policy := s.opts.TokenExchange
	if policy == nil {
		return nil, &oauthError{http.StatusBadRequest, "unsupported_grant_type", "token exchange is not enabled"}
	}
	f := r.PostForm
	req := &TokenExchangeRequest{
		ClientID:     c.ID,
		SubjectToken: f.Get("subject_token"), SubjectTokenType: f.Get("subject_token_type"),
		ActorToken: f.Get("actor_token"), ActorTokenType: f.Get("actor_token_type"),
		Audience: f["audience"], Resource: f["resource"],
		Scopes:             strings.Fields(f.Get("scope")),
		RequestedTokenType: f.Get("requested_token_type"),
	}
	switch {
	case req.SubjectToken == "":
		return nil, invalidRequest("missing subject_token")
	case req.SubjectTokenType == "":
		return nil, invalidRequest("missing subject_token_type")
	case req.ActorToken != "" && req.ActorTokenType == "":
		return nil, invalidRequest("actor_token without actor_token_type")
	case req.ActorToken == "" && req.ActorTokenType != "":
		return nil, invalidRequest("actor_token_type without actor_token")
	}
	s.mu.Lock()
	if req.SubjectTokenType == TokenTypeAccessToken {
		if at := s.validAccess(req.SubjectToken); at != nil {
			req.Subject = &TokenExchangeSubject{ClientID: at.grant.clientID, User: at.grant.user, Scopes: slices.Clone(at.scopes)}
		}
	}
	s.mu.Unlock()
	d := policy(req)
	switch {
	case d.Deny != "":
		return nil, &oauthError{http.StatusBadRequest, d.Deny, d.Description}
	case req.Subject == nil && d.User == "":
		return nil, invalidGrant("the policy accepted a subject_token of no known user")
	}
	user, scopes, aud := d.User, d.Scopes, d.Audience
	if user == "" {
		user = req.Subject.User
	}
	if scopes == nil {
		scopes = req.Scopes
	}
	if len(scopes) == 0 && d.Scopes == nil && req.Subject != nil {
		scopes = req.Subject.Scopes
	}
	if aud == nil {
		aud = req.Audience
	}
	issued, tokenType := d.IssuedTokenType, "Bearer"
	if issued == "" {
		issued = TokenTypeAccessToken
	}
	if issued != TokenTypeAccessToken {
		tokenType = "N_A"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.newGrant(c.ID, user, scopes)
	at, _ := s.issueAccess(g, scopes, s.opts.TokenTTL)
	s.access[at].audience = slices.Clone(aud)
	return &exchangeResponse{
		tokenResponse: tokenResponse{
			AccessToken: at,
			TokenType:   tokenType,
			ExpiresIn:   int64(s.opts.TokenTTL.Seconds()),
			Scope:       scopeString(scopes),
		},
		IssuedTokenType: issued,
	}, nil
}

// exchangeResponse is the JSON body of a successful token exchange
// (RFC 8693 §2.2.1).
type exchangeResponse struct {
	tokenResponse
	IssuedTokenType string `json:"issued_token_type"`
}
