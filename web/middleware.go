package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
)

// Required returns middleware that lets a request through only when its
// user is signed in and has granted scopes (besides Config.Scopes).
// Otherwise it starts an authorization (sign-in, or incremental
// authorization for the missing scopes) and the user comes back to the
// same URL afterwards. Incremental authorization asks for the scopes
// granted before as well and sends include_granted_scopes=true (Google),
// so no scope is dropped; a token response that lists fewer scopes (the
// user unchecked some, or revoked them) is stored as the grant.
//
// A request that wants JSON (Accept: application/json, or
// X-Requested-With: XMLHttpRequest), or that is not a top-level
// navigation (a fetch, an image, a frame: Sec-Fetch-Mode is not
// "navigate"), gets instead a 401 answer with the JSON body {"error":
// "authorization_required", "authorization_url": URL} and no cookie:
// URL, on this site, starts the authorization when the browser goes
// there (see [App.LoginURL]).
//
// In the handler, [UserFrom], [CredentialsFrom] and [ClientFrom] give the
// user, their credentials and an HTTP client. With a warm session (the
// user's credentials in memory) Required reads no store.
func (a *App) Required(scopes ...string) func(http.Handler) http.Handler {
	scopes = slices.Clone(scopes)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			e, err := a.entryFor(r)
			if err != nil {
				a.storeFailed(w, r, err)
				return
			}
			if e != nil && e.hasScopes(scopes) {
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, e)))
				return
			}
			returnTo, err := CheckReturnTo(r.URL.RequestURI())
			if err != nil {
				returnTo = "/"
			}
			if wantsJSON(r) || !navigation(r) {
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("Cache-Control", "no-store")
				w.WriteHeader(http.StatusUnauthorized)
				json.NewEncoder(w).Encode(map[string]string{
					"error":             "authorization_required",
					"authorization_url": a.LoginURL(returnTo, scopes...),
				})
				return
			}
			a.authorize(w, r, e, scopes, returnTo)
		})
	}
}

// Aware returns middleware that never redirects: when the request's user
// is signed in, the handler finds them with [UserFrom], [CredentialsFrom]
// and [ClientFrom]; otherwise those report no one, and the handler may
// offer a link to [App.LoginURL]. (Python oauth2client's oauth_aware.)
func (a *App) Aware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e, err := a.entryFor(r)
		if err != nil {
			a.storeFailed(w, r, err)
			return
		}
		if e != nil {
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, e))
		}
		next.ServeHTTP(w, r)
	})
}

// LoginURL returns the path of the login handler that starts an
// authorization for scopes (besides Config.Scopes and those granted
// before) and then sends the user to returnTo, a path on this site ("/"
// when empty or not acceptable to [CheckReturnTo]).
func (a *App) LoginURL(returnTo string, scopes ...string) string {
	q := url.Values{}
	if rt, err := CheckReturnTo(returnTo); err == nil && rt != "/" {
		q.Set("return_to", rt)
	}
	if len(scopes) > 0 {
		q.Set("scope", strings.Join(scopes, " "))
	}
	if len(q) == 0 {
		return a.cfg.LoginPath
	}
	return a.cfg.LoginPath + "?" + q.Encode()
}

// authorize starts an authorization for the Config.Scopes, those e (the
// signed-in user, or nil) has granted and extra, keeps it in a state
// cookie of its own and redirects the browser to the authorization
// endpoint.
func (a *App) authorize(w http.ResponseWriter, r *http.Request, e *entry, extra []string, returnTo string) {
	scopes := slices.Clone(a.scopes)
	if e != nil {
		scopes = union(scopes, e.scopes)
	}
	scopes = union(scopes, extra)
	st, err := a.flow.Start(r.Context(),
		oauth2client.WithScopes(scopes...),
		oauth2client.IncludeGrantedScopes(),
		oauth2client.AccessTypeOffline())
	if err != nil {
		a.fail(w, r, &Error{Status: http.StatusBadRequest, Code: "invalid_request", Message: "The sign-in could not be started.", Err: err})
		return
	}
	a.saveState(w, r, &pendingSignIn{State: st, ReturnTo: returnTo, Need: extra})
	w.Header().Set("Cache-Control", "no-store")
	status := http.StatusFound
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		status = http.StatusSeeOther
	}
	http.Redirect(w, r, st.URL, status)
}

// navigation reports whether r may be a top-level navigation: browsers
// that send Sec-Fetch-Mode say so with "navigate"; others are given the
// benefit of the doubt.
func navigation(r *http.Request) bool {
	m := r.Header.Get("Sec-Fetch-Mode")
	return m == "" || m == "navigate"
}

// storeFailed answers a request whose user could not be read from the
// store.
func (a *App) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	a.fail(w, r, &Error{Status: http.StatusServiceUnavailable, Code: "store_unavailable",
		Message: "Your sign-in could not be read right now. Please try again in a moment.", Err: err})
}

// union returns a with the elements of b it lacks appended, in order.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, s := range b {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
