package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/oauth2client/oauth2client"
)

// sessionName is the session cookie's name (after the prefix).
const sessionName = "session"

// setCookie sets the cookie name (prefixed) to value until exp; an empty
// value deletes it. Every cookie of the package is HttpOnly, SameSite=Lax,
// Path=/ without a Domain and, unless the app is plain-http loopback,
// Secure: the rules of a "__Host-" cookie.
func (a *App) setCookie(w http.ResponseWriter, name, value string, exp time.Time) {
	c := &http.Cookie{
		Name:     a.prefix + name,
		Value:    value,
		Path:     "/",
		HttpOnly: true,
		Secure:   a.secure,
		SameSite: http.SameSiteLaxMode,
	}
	if value == "" {
		c.MaxAge = -1
	} else {
		c.Expires = exp
		c.MaxAge = max(1, int(exp.Sub(a.now()).Seconds()))
	}
	http.SetCookie(w, c)
}

// cookie returns the value of the cookie name (prefixed), or "".
func (a *App) cookie(r *http.Request, name string) string {
	c, err := r.Cookie(a.prefix + name)
	if err != nil {
		return ""
	}
	return c.Value
}

// session returns the user key of the request's session, or "" when it
// has none, or an invalid or expired one.
func (a *App) session(r *http.Request) string {
	v := a.cookie(r, sessionName)
	if v == "" {
		return ""
	}
	key, err := a.sealer.open(a.prefix+sessionName, v, a.now())
	if err != nil {
		return ""
	}
	return string(key)
}

// startSession sets a new session cookie for the user key: a new value
// (a new random seal) at every sign-in, so a session cookie planted
// before cannot be carried over (no fixation).
func (a *App) startSession(w http.ResponseWriter, key string) {
	exp := a.now().Add(a.cfg.SessionTTL)
	a.setCookie(w, sessionName, a.sealer.seal(a.prefix+sessionName, exp, []byte(key)), exp)
}

// pendingSignIn is what a state cookie holds: the flow's AuthState, where
// to go afterwards, and the scopes that page needs.
type pendingSignIn struct {
	State    *oauth2client.AuthState `json:"s"`
	ReturnTo string                  `json:"r"`
	Need     []string                `json:"n,omitempty"`
}

// stateCookieName is the name (after the prefix) of the cookie of the
// sign-in with the given state: one cookie per sign-in, so that sign-ins
// in parallel tabs do not overwrite each other.
func stateCookieName(state string) string {
	h := sha256.Sum256([]byte(state))
	return "oauth2state-" + hex.EncodeToString(h[:8])
}

// saveState sets the cookie of a sign-in.
func (a *App) saveState(w http.ResponseWriter, p *pendingSignIn) {
	st := *p.State
	st.URL = "" // long, and not needed at the callback
	b, _ := json.Marshal(pendingSignIn{State: &st, ReturnTo: p.ReturnTo, Need: p.Need})
	name := stateCookieName(st.State)
	exp := a.now().Add(a.cfg.StateTTL)
	a.setCookie(w, name, a.sealer.seal(a.prefix+name, exp, b), exp)
}

// takeState reads and deletes the cookie of the sign-in with state: a
// state is good for one callback.
func (a *App) takeState(w http.ResponseWriter, r *http.Request, state string) (*pendingSignIn, bool) {
	name := stateCookieName(state)
	v := a.cookie(r, name)
	if v == "" {
		return nil, false
	}
	a.setCookie(w, name, "", time.Time{})
	b, err := a.sealer.open(a.prefix+name, v, a.now())
	if err != nil {
		return nil, false
	}
	var p pendingSignIn
	if err := json.Unmarshal(b, &p); err != nil || p.State == nil || p.State.State != state {
		return nil, false
	}
	if a.now().Sub(p.State.Created) > a.cfg.StateTTL {
		return nil, false
	}
	return &p, true
}
