package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
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

// sessionVersion is the first byte of a session cookie's payload: then
// come the sign-in id (signInIDSize bytes) and the user's store key.
const sessionVersion = 1

// session returns the user key and sign-in id of the request's session,
// or "" when it has none, or an invalid or expired one.
func (a *App) session(r *http.Request) (key, id string) {
	v := a.cookie(r, sessionName)
	if v == "" {
		return "", ""
	}
	p, err := a.sealer.open(a.prefix+sessionName, v, a.now())
	if err != nil || len(p) <= 1+signInIDSize || p[0] != sessionVersion {
		return "", ""
	}
	s := string(p[1:]) // one allocation for both
	return s[signInIDSize:], s[:signInIDSize]
}

// startSession sets a new session cookie for the user key and the
// sign-in id: a new value (a new random seal, a new id) at every
// sign-in, so a session cookie planted before cannot be carried over (no
// fixation).
func (a *App) startSession(w http.ResponseWriter, key, id string) {
	exp := a.now().Add(a.cfg.SessionTTL)
	p := make([]byte, 0, 1+len(id)+len(key))
	p = append(append(append(p, sessionVersion), id...), key...)
	a.setCookie(w, sessionName, a.sealer.seal(a.prefix+sessionName, exp, p), exp)
}

// pendingSignIn is what a state cookie holds: the flow's AuthState, where
// to go afterwards, and the scopes that page needs.
type pendingSignIn struct {
	State    *oauth2client.AuthState `json:"s"`
	ReturnTo string                  `json:"r"`
	Need     []string                `json:"n,omitempty"`
}

// statePrefix starts the name (after the prefix) of every state cookie.
const statePrefix = "oauth2state-"

// maxPendingSignIns bounds the state cookies of a browser: starting a
// sign-in expires the oldest beyond it, so that requests that keep
// starting sign-ins cannot grow the Cookie header without end.
const maxPendingSignIns = 4

// stateCookieName is the name (after the prefix) of the cookie of the
// sign-in with the given state: one cookie per sign-in, so that sign-ins
// in parallel tabs do not overwrite each other.
func stateCookieName(state string) string {
	h := sha256.Sum256([]byte(state))
	return statePrefix + hex.EncodeToString(h[:8])
}

// saveState sets the cookie of a sign-in, and expires the state cookies
// r carries beyond the newest maxPendingSignIns-1 (and those unreadable).
// The fields the flow's configuration gives again at the callback are
// left out, to keep the cookie small.
func (a *App) saveState(w http.ResponseWriter, r *http.Request, p *pendingSignIn) {
	a.trimStates(w, r)
	st := *p.State
	st.URL = "" // long, and not needed at the callback
	if st.RedirectURL == a.cfg.Flow.RedirectURL {
		st.RedirectURL = ""
	}
	if st.Issuer == a.endpoint.Issuer {
		st.Issuer = ""
	}
	b, _ := json.Marshal(pendingSignIn{State: &st, ReturnTo: p.ReturnTo, Need: p.Need})
	name := stateCookieName(p.State.State)
	exp := a.now().Add(a.cfg.StateTTL)
	a.setCookie(w, name, a.sealer.seal(a.prefix+name, exp, b), exp)
}

// trimStates expires the state cookies of r but the newest
// maxPendingSignIns-1, and those that do not open.
func (a *App) trimStates(w http.ResponseWriter, r *http.Request) {
	type pending struct {
		name    string
		created time.Time
	}
	var live []pending
	now := a.now()
	for _, c := range r.Cookies() {
		name, ok := strings.CutPrefix(c.Name, a.prefix)
		if !ok || !strings.HasPrefix(name, statePrefix) {
			continue
		}
		b, err := a.sealer.open(c.Name, c.Value, now)
		var p struct {
			S struct {
				Created time.Time `json:"created"`
			} `json:"s"`
		}
		if err != nil || json.Unmarshal(b, &p) != nil {
			a.setCookie(w, name, "", time.Time{})
			continue
		}
		live = append(live, pending{name, p.S.Created})
	}
	if len(live) < maxPendingSignIns {
		return
	}
	slices.SortFunc(live, func(x, y pending) int { return y.created.Compare(x.created) }) // newest first
	for _, p := range live[maxPendingSignIns-1:] {
		a.setCookie(w, p.name, "", time.Time{})
	}
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
	if p.State.RedirectURL == "" {
		p.State.RedirectURL = a.cfg.Flow.RedirectURL
	}
	if p.State.Issuer == "" {
		p.State.Issuer = a.endpoint.Issuer
	}
	if a.now().Sub(p.State.Created) > a.cfg.StateTTL {
		return nil, false
	}
	return &p, true
}
