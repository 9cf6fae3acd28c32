package oauth2client

import (
	"net/url"
	"strings"
)

// AuthCodeOption changes one authorization request made by
// [Flow.AuthCodeURL] or [Flow.Start]. The options are this package's
// functions: [AccessType], [AccessTypeOffline], [Prompt], [LoginHint],
// [IncludeGrantedScopes], [WithNonce], [WithRedirectURL], [WithScopes] and
// [SetParam].
type AuthCodeOption interface {
	applyAuthCode(*authCodeRequest)
}

// authCodeRequest collects what the options ask for.
type authCodeRequest struct {
	params      url.Values // extra query parameters
	nonce       bool       // send a nonce even without the "openid" scope
	redirectURL string     // overrides Config.RedirectURL when set
	scopes      []string   // overrides Config.Scopes when non-nil
}

type authCodeOptionFunc func(*authCodeRequest)

func (f authCodeOptionFunc) applyAuthCode(r *authCodeRequest) { f(r) }

// SetParam sets the query parameter key to value in the authorization URL,
// replacing what the flow would send. Parameters the flow must control
// (state, code_challenge, code_challenge_method, response_type,
// client_id) cannot be set this way and are ignored; use the dedicated
// options for redirect_uri, scope and nonce.
func SetParam(key, value string) AuthCodeOption {
	return authCodeOptionFunc(func(r *authCodeRequest) {
		switch key {
		case "state", "code_challenge", "code_challenge_method", "response_type", "client_id":
			return
		case "redirect_uri":
			r.redirectURL = value
			return
		case "scope":
			r.scopes = strings.Fields(value)
			return
		}
		r.params.Set(key, value)
	})
}

// AccessType sets Google's access_type parameter: "offline" asks for a
// refresh token, "online" (Google's default) does not.
func AccessType(value string) AuthCodeOption { return SetParam("access_type", value) }

// AccessTypeOffline is AccessType("offline"): ask Google for a refresh token.
func AccessTypeOffline() AuthCodeOption { return AccessType("offline") }

// Prompt sets the prompt parameter (OIDC Core §3.1.2.1), e.g. "consent",
// "select_account", "login" or "none"; several values are space-separated.
// Prompt() without values changes nothing.
func Prompt(values ...string) AuthCodeOption {
	if len(values) == 0 {
		return authCodeOptionFunc(func(*authCodeRequest) {})
	}
	return SetParam("prompt", strings.Join(values, " "))
}

// LoginHint sets the login_hint parameter (OIDC Core §3.1.2.1), e.g. the
// email address of the account to use.
func LoginHint(hint string) AuthCodeOption { return SetParam("login_hint", hint) }

// IncludeGrantedScopes sets Google's include_granted_scopes=true, for
// incremental authorization: the new token also carries the scopes the user
// granted the client before.
func IncludeGrantedScopes() AuthCodeOption { return SetParam("include_granted_scopes", "true") }

// WithNonce asks for a random nonce (OIDC Core §3.1.2.1) even when "openid"
// is not among the scopes; with "openid" one is always sent.
func WithNonce() AuthCodeOption {
	return authCodeOptionFunc(func(r *authCodeRequest) { r.nonce = true })
}

// WithRedirectURL uses redirectURL instead of Config.RedirectURL for this
// authorization, e.g. a loopback URL whose port is known only now
// (RFC 8252 §7.3). The exchange then sends the same redirect_uri.
func WithRedirectURL(redirectURL string) AuthCodeOption {
	return authCodeOptionFunc(func(r *authCodeRequest) { r.redirectURL = redirectURL })
}

// WithScopes requests scopes instead of Config.Scopes for this
// authorization, e.g. for incremental authorization.
func WithScopes(scopes ...string) AuthCodeOption {
	return authCodeOptionFunc(func(r *authCodeRequest) {
		r.scopes = append([]string{}, scopes...)
	})
}
