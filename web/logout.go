package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// fromThisSite reports whether r, a POST, comes from a page of the
// app's own origin (see [App.LogoutHandler]).
func (a *App) fromThisSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "same-origin":
		return true
	case "":
	default: // cross-site, same-site (a sibling subdomain), none
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		return a.sameOrigin(o)
	}
	if ref := r.Header.Get("Referer"); ref != "" {
		return a.sameOrigin(ref)
	}
	return true
}

// sameOrigin reports whether the URL raw has BaseURL's scheme and host.
func (a *App) sameOrigin(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && u.Scheme == a.base.Scheme && strings.EqualFold(u.Host, a.base.Host)
}

// logoutPage is the page a GET of LogoutPath shows: a button that POSTs.
var logoutPage = template.Must(template.New("logout").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign out</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Sign out</h1>
<form method="post" action="{{.Action}}"><input type="hidden" name="return_to" value="{{.ReturnTo}}">
<button id="sign-out" type="submit">Sign out</button></form>
<p><a href="{{.ReturnTo}}">Stay signed in</a></p>
</body></html>
`))

// confirmLogout writes the page of a GET of LogoutPath.
func (a *App) confirmLogout(w http.ResponseWriter, returnTo string) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("X-Frame-Options", "DENY")
	logoutPage.Execute(w, struct{ Action, ReturnTo string }{a.cfg.LogoutPath, returnTo})
}
