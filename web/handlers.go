package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
)

// Handler returns the handler of the app's own paths: Config.LoginPath
// ([App.LoginHandler]), Config.CallbackPath ([App.CallbackHandler]) and
// Config.LogoutPath ([App.LogoutHandler]); other paths get 404. Mount it
// on a mux under those paths, or use [App.Register].
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	a.Register(mux)
	return mux
}

// Register adds the app's login, callback and logout handlers to mux, at
// their configured paths.
func (a *App) Register(mux *http.ServeMux) {
	mux.Handle(a.cfg.LoginPath, a.LoginHandler())
	mux.Handle(a.cfg.CallbackPath, a.CallbackHandler())
	mux.Handle(a.cfg.LogoutPath, a.LogoutHandler())
}

// LoginHandler starts a sign-in: GET LoginPath?return_to=PATH&scope=S,
// where return_to (default "/") is where the user lands afterwards, and
// scope (space-separated, optional) asks for scopes beyond Config.Scopes
// and those granted before. A return_to that [CheckReturnTo] refuses is
// an error page. A user already signed in with those scopes goes straight
// to return_to.
func (a *App) LoginHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		returnTo, ok := a.returnTo(w, r, q.Get("return_to"))
		if !ok {
			return
		}
		scopes := strings.Fields(q.Get("scope"))
		e, err := a.entryFor(r)
		if err != nil {
			a.storeFailed(w, r, err)
			return
		}
		if e != nil && e.hasScopes(scopes) {
			http.Redirect(w, r, returnTo, http.StatusSeeOther)
			return
		}
		a.authorize(w, r, e, scopes, returnTo)
	})
}

// returnTo checks a return_to parameter ("" means "/"), answering with an
// error page when it is refused.
func (a *App) returnTo(w http.ResponseWriter, r *http.Request, raw string) (string, bool) {
	if raw == "" {
		return "/", true
	}
	rt, err := CheckReturnTo(raw)
	if err != nil {
		a.fail(w, r, &Error{Status: http.StatusBadRequest, Code: "invalid_return_to",
			Message: "The address to return to is not a page of this site.", SignInURL: a.cfg.LoginPath, Err: err})
		return "", false
	}
	return rt, true
}

// CallbackHandler completes a sign-in at the redirect URI. It finds the
// state cookie of the sign-in the "state" parameter names, and deletes it
// (a state is good once); a callback without one (a state from another
// browser, a replay, an expired sign-in, a tampered cookie) is refused.
// Then the flow checks the state (in constant time) and the issuer,
// exchanges the code with the PKCE verifier, and verifies the ID token
// (audience, nonce). The credentials are stored under [UserKey], merged
// with those stored before (the scopes of the token response are the
// grant; when it lists none, the scopes granted earlier are kept; the
// earlier refresh token is kept when no new one came), a new session
// cookie with a new sign-in id is set, and the user lands on the sign-in's return_to, unless the grant
// lacks a scope the page needs (then an error page says which, rather
// than a loop of authorizations). Every failure is an error page
// (Config.ErrorHandler).
func (a *App) CallbackHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		q := r.URL.Query()
		state := q.Get("state")
		if state == "" || len(q["state"]) > 1 {
			a.fail(w, r, &Error{Status: http.StatusBadRequest, Code: "invalid_state",
				Message: "This sign-in response carries no state. Please sign in again."})
			return
		}
		p, ok := a.takeState(w, r, state)
		if !ok {
			a.fail(w, r, &Error{Status: http.StatusBadRequest, Code: "invalid_state",
				Message: "This sign-in response does not match a sign-in started in this browser, or the sign-in expired or was already completed. Please sign in again."})
			return
		}
		signIn := a.LoginURL(p.ReturnTo)
		flow, err := a.flow.Resume(p.State)
		if err != nil {
			a.fail(w, r, &Error{Status: http.StatusBadRequest, Code: "invalid_state", SignInURL: signIn,
				Message: "This sign-in was started for another configuration. Please sign in again.", Err: err})
			return
		}
		creds, err := flow.ExchangeCallback(r.Context(), q)
		if err != nil {
			a.fail(w, r, callbackError(err, signIn))
			return
		}
		u, ok := userFromClaims(creds.IDTokenClaims())
		if !creds.IDTokenVerified() || !ok {
			a.fail(w, r, &Error{Status: http.StatusBadGateway, Code: "sign_in_failed", SignInURL: signIn,
				Message: "The provider did not say who you are (no verified ID token)."})
			return
		}
		a.completeFromUserInfo(r.Context(), u, creds)
		key := UserKey(u.Issuer, a.cfg.Flow.ClientID, u.Subject)
		id := newSignInID()
		mark := a.cache.mark()
		saved, err := a.save(r, key, creds, u, id)
		if err != nil {
			a.storeFailed(w, r, err)
			return
		}
		e := a.newEntry(key, saved, u)
		a.cache.put(key, e, mark)
		a.startSession(w, key, id)
		if !e.hasScopes(p.Need) {
			// Signed in, but without a scope the page needs (the user
			// unchecked it, or the provider does not know it): sending
			// the user back there would start the authorization again.
			a.fail(w, r, &Error{Status: http.StatusForbidden, Code: "scope_not_granted", SignInURL: a.LoginURL(p.ReturnTo, p.Need...),
				Message: "You are signed in, but the page you asked for needs access you did not grant: " + strings.Join(missing(e.scopes, p.Need), ", ") + "."})
			return
		}
		http.Redirect(w, r, p.ReturnTo, http.StatusSeeOther)
	})
}

// missing returns the elements of need that have lacks.
func missing(have, need []string) []string {
	var out []string
	for _, s := range need {
		if !slices.Contains(have, s) {
			out = append(out, s)
		}
	}
	return out
}

// callbackError is the page of a callback the flow refused.
func callbackError(err error, signIn string) *Error {
	e := &Error{Status: http.StatusBadRequest, SignInURL: signIn, Err: err}
	var authErr *oauth2client.AuthorizationError
	var tokErr *oauth2client.Error
	switch {
	case errors.Is(err, oauth2client.ErrAccessDenied):
		e.Status, e.Code = http.StatusForbidden, "access_denied"
		e.Message = "You did not allow this application to sign you in."
	case errors.As(err, &authErr):
		e.Code = "sign_in_refused"
		e.Message = "The provider refused the sign-in (" + authErr.Code + ")."
	case errors.Is(err, oauth2client.ErrStateMismatch), errors.Is(err, oauth2client.ErrIssuerMismatch):
		e.Code = "invalid_state"
		e.Message = "This sign-in response does not match the sign-in started in this browser. Please sign in again."
	case errors.As(err, &tokErr):
		e.Status, e.Code = http.StatusBadGateway, "sign_in_failed"
		e.Message = "The provider refused to complete the sign-in. Please sign in again."
	default:
		e.Status, e.Code = http.StatusBadGateway, "sign_in_failed"
		e.Message = "The sign-in could not be verified. Please sign in again."
	}
	return e
}

// save stores creds, just obtained for user u, under key, with the new
// sign-in id added to the live sign-ins of the entry there. The granted
// scopes are those of the token response when it lists them (RFC 6749
// §5.1: a partial consent or a revocation narrows the grant); when it
// does not, the grant is the scopes asked for, which were asked with
// include_granted_scopes, so the scopes granted before are kept. The
// stored refresh token is kept when the new token has none. It returns
// what was stored.
func (a *App) save(r *http.Request, key string, creds *oauth2client.Credentials, u *User, id string) (*oauth2client.CredentialsState, error) {
	userJSON, err := json.Marshal(u)
	if err != nil {
		return nil, err
	}
	var saved *oauth2client.CredentialsState
	err = a.cfg.Store.Update(r.Context(), key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		st := creds.State()
		if cur != nil && (cur.Invalid || cur.ClientID != st.ClientID) {
			cur = nil // nothing to keep, no sign-in to carry over
		}
		if cur != nil {
			if st.Token == nil || st.Token.Scopes == nil {
				prev := cur.EffectiveScopes()
				st.Scopes = union(st.Scopes, prev)
				if st.GrantedScopes != nil {
					st.GrantedScopes = union(st.GrantedScopes, prev)
				}
			}
			if st.Token != nil && st.Token.RefreshToken == "" && cur.Token != nil {
				st.Token.RefreshToken = cur.Token.RefreshToken
			}
		}
		if st.Extensions == nil {
			st.Extensions = map[string]json.RawMessage{}
		}
		st.Extensions[userExtension] = userJSON
		st.Extensions[sessionsExtension] = withSignIn(cur, id)
		saved = st.Clone()
		return st, nil
	})
	return saved, err
}

// LogoutHandler signs the user out: POST LogoutPath?return_to=PATH (the
// return_to may also be a form field). It deletes the session cookie and
// the user's stored credentials, which ends every session of the user
// (each replica notices within Config.RecheckInterval; a later sign-in
// does not revive them), first revoking them at the provider with
// Config.RevokeOnLogout. When the provider has an end_session_endpoint
// the user is then sent there (RP-initiated logout, with client_id and
// Config.PostLogoutRedirectURL; no token goes in the URL); otherwise to
// return_to ("/" by default).
//
// Only a POST from this site's own pages signs out (logout CSRF): with
// Sec-Fetch-Site, it must be same-origin (a sibling subdomain is
// same-site, and refused); without it (an older browser), an Origin or
// else a Referer header must name BaseURL's origin. A request with none
// of the three is not a browser's cross-origin form (browsers send
// Origin with those) and is accepted. A GET shows a page with a button
// that POSTs, so that a plain link to LogoutPath still works.
func (a *App) LogoutHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		returnTo, ok := a.returnTo(w, r, r.FormValue("return_to"))
		if !ok {
			return
		}
		switch r.Method {
		case http.MethodPost:
		case http.MethodGet, http.MethodHead:
			a.confirmLogout(w, returnTo)
			return
		default:
			w.Header().Set("Allow", "GET, HEAD, POST")
			a.fail(w, r, &Error{Status: http.StatusMethodNotAllowed, Code: "method_not_allowed",
				Message: "Sign out with the button of this site's pages.", SignInURL: "/"})
			return
		}
		if !a.fromThisSite(r) {
			a.fail(w, r, &Error{Status: http.StatusForbidden, Code: "cross_site",
				Message: "Sign out from this site's own pages.", SignInURL: "/"})
			return
		}
		if key, _ := a.session(r); key != "" {
			a.setCookie(w, sessionName, "", a.now())
			// Only a live session signs the user out: an old cookie
			// (stolen, or from before a sign-out) ends nothing.
			e, err := a.entryFor(r)
			if err != nil {
				a.log.Error("web: reading the session to sign out", "err", err.Error())
			}
			if e != nil {
				a.signOut(r, key)
			}
		}
		if a.endpoint.EndSessionURL != "" {
			u, err := a.endpoint.LogoutURL(oauth2client.LogoutOptions{
				ClientID:              a.cfg.Flow.ClientID,
				PostLogoutRedirectURL: a.cfg.PostLogoutRedirectURL,
			})
			if err == nil {
				http.Redirect(w, r, u, http.StatusSeeOther)
				return
			}
			a.log.Warn("web: RP-initiated logout", "err", err.Error())
		}
		http.Redirect(w, r, returnTo, http.StatusSeeOther)
	})
}

// signOut forgets the credentials of key: revoked first when so
// configured, then deleted from the store, then dropped from memory (in
// this order, so that no request reading the store meanwhile puts them
// back). Failures are logged: the session cookie is gone either way.
func (a *App) signOut(r *http.Request, key string) {
	ctx := r.Context()
	if a.cfg.RevokeOnLogout {
		e := a.cache.get(key)
		if e == nil {
			e, _ = a.load(ctx, key)
		}
		if e != nil {
			if err := e.creds.Revoke(ctx); err != nil {
				a.log.Warn("web: revoking on logout", "err", err.Error())
			}
		}
	}
	if err := a.cfg.Store.Delete(ctx, key); err != nil {
		a.log.Error("web: deleting the stored credentials on logout", "err", err.Error())
	}
	a.cache.drop(key)
}
