package web

import (
	"encoding/json"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
)

// Error is a failed request, as given to Config.ErrorHandler: what to show
// the user, and the cause for the logs.
type Error struct {
	// Status is the HTTP status to answer with.
	Status int
	// Code is a short machine-readable reason, such as "access_denied",
	// "invalid_state", "sign_in_failed", "store_unavailable".
	Code string
	// Message says what happened, for the user; it holds no secret.
	Message string
	// SignInURL is where the user may start again.
	SignInURL string
	// Err is the cause, for the logs; never shown to the user.
	Err error
}

// Error returns the code, message and cause on one line.
func (e *Error) Error() string {
	s := "web: " + e.Code + ": " + e.Message
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// errorPage is the HTML of DefaultErrorHandler.
var errorPage = template.Must(template.New("error").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in problem</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><h1>Sign-in problem</h1>
<p id="message">{{.Message}}</p>
<p><a id="sign-in" href="{{.SignInURL}}">Sign in again</a> · <a href="/">Home</a></p>
<p><small>Error code: <code id="code">{{.Code}}</code></small></p>
</body></html>
`))

// DefaultErrorHandler writes e as a short HTML page with e.Message and a
// link to sign in again, or, for a request that asks for JSON (Accept:
// application/json), as {"error": code, "message": message}. The page is
// not cached and never shows e.Err.
func DefaultErrorHandler(w http.ResponseWriter, r *http.Request, e *Error) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if wantsJSON(r) {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(e.Status)
		json.NewEncoder(w).Encode(map[string]string{"error": e.Code, "message": e.Message})
		return
	}
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(e.Status)
	errorPage.Execute(w, e)
}

// wantsJSON reports whether r is an XHR or fetch call that wants JSON
// rather than a page: Accept names application/json (and not text/html
// first), or X-Requested-With is XMLHttpRequest.
func wantsJSON(r *http.Request) bool {
	if r.Header.Get("X-Requested-With") == "XMLHttpRequest" {
		return true
	}
	acc := r.Header.Get("Accept")
	j := strings.Index(acc, "application/json")
	if j < 0 {
		return false
	}
	h := strings.Index(acc, "text/html")
	return h < 0 || j < h
}

// fail logs e (its code and cause, never the request's query, which may
// hold a code) and writes it with the error handler.
func (a *App) fail(w http.ResponseWriter, r *http.Request, e *Error) {
	if e.SignInURL == "" {
		e.SignInURL = a.cfg.LoginPath
	}
	level := slog.LevelWarn
	if e.Status >= 500 {
		level = slog.LevelError
	}
	attrs := []any{"path", r.URL.Path, "status", e.Status, "code", e.Code}
	if e.Err != nil {
		attrs = append(attrs, "err", e.Err.Error())
	}
	a.log.Log(r.Context(), level, "web: request failed", attrs...)
	if a.cfg.ErrorHandler != nil {
		a.cfg.ErrorHandler(w, r, e)
		return
	}
	DefaultErrorHandler(w, r, e)
}
