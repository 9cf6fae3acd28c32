// Command webapp is oauth2client's App Engine sample (OAuth2Decorator with
// oauth_required and oauth_aware) as a Go web application built on package
// web: sign in, list your calendars through google.golang.org/api's
// calendar/v3, open a second page that needs one more scope (incremental
// authorization), sign out.
//
// With no set-up:
//
//	go run ./examples/webapp --auto-approve
//
// starts an in-process oauth2test server (which approves at once, for user
// "alice", and serves a sample calendar API) and serves the app on
// http://127.0.0.1:8080. Against Google (see README.md, "Web
// applications"):
//
//	go run ./examples/webapp --client-secrets client_secret.json
//
// Flags: --addr, --base-url, --auto-approve, --client-secrets, --issuer
// with --client-id (and the client secret in WEBAPP_CLIENT_SECRET),
// --store (a store spec; default SQLite in the user's config folder, or a
// temporary folder with --auto-approve), --cookie-key (or
// WEBAPP_COOKIE_KEYS; replicas share it), --callback-path,
// --calendar-endpoint.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"google.golang.org/api/calendar/v3"
	"google.golang.org/api/option"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store/spec"
	"github.com/oauth2client/oauth2client/web"
)

// The scopes of the two pages: the calendars page needs the first, the
// events page one more (incremental authorization).
const (
	scopeCalendars = calendar.CalendarReadonlyScope
	scopeEvents    = calendar.CalendarEventsReadonlyScope
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, nil)
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "webapp:", err)
		os.Exit(1)
	}
}

// options are the command-line settings.
type options struct {
	addr, baseURL, clientSecrets, issuer, clientID string
	storeSpec, cookieKeys, calendarEndpoint        string
	callbackPath                                   string
	autoApprove                                    bool
}

func parseFlags(args []string, out io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("webapp", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`host:port` to listen on")
	fs.StringVar(&o.baseURL, "base-url", "", "the app's origin as browsers see it (default http://ADDR)")
	fs.BoolVar(&o.autoApprove, "auto-approve", false, "start an in-process oauth2test server that approves at once, with a sample calendar API")
	fs.StringVar(&o.clientSecrets, "client-secrets", "", "client_secrets.json of a web client (e.g. from the Google Cloud console)")
	fs.StringVar(&o.issuer, "issuer", "", "an OpenID provider to discover (with --client-id; secret in WEBAPP_CLIENT_SECRET)")
	fs.StringVar(&o.clientID, "client-id", "", "the client ID at --issuer")
	fs.StringVar(&o.storeSpec, "store", "", "credential store spec: sqlite:PATH, postgres://..., file:PATH (default SQLite in the user's config folder)")
	fs.StringVar(&o.cookieKeys, "cookie-key", os.Getenv("WEBAPP_COOKIE_KEYS"), "cookie keys, base64, comma-separated, newest first (default $WEBAPP_COOKIE_KEYS, else a new key per run)")
	fs.StringVar(&o.callbackPath, "callback-path", web.DefaultCallbackPath, "the path of the redirect URI registered with the provider")
	fs.StringVar(&o.calendarEndpoint, "calendar-endpoint", "", "base URL of the calendar API (default Google's, or oauth2test's with --auto-approve)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	n := 0
	for _, set := range []bool{o.autoApprove, o.clientSecrets != "", o.issuer != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("give one of --auto-approve, --client-secrets and --issuer")
	}
	if o.issuer != "" && o.clientID == "" {
		return nil, errors.New("--issuer needs --client-id")
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return o, nil
}

// run serves the app until ctx is done. ready, when not nil, is told the
// app's URL once it listens.
func run(ctx context.Context, args []string, out io.Writer, ready func(url string)) error {
	o, err := parseFlags(args, out)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if o.baseURL == "" {
		o.baseURL = "http://" + ln.Addr().String()
	}
	cfg := web.Config{BaseURL: o.baseURL, CallbackPath: o.callbackPath, Scopes: []string{"openid", "email", "profile"}, Logger: slog.New(slog.NewTextHandler(out, nil))}

	switch {
	case o.autoApprove:
		srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true})
		defer srv.Close()
		secret := rand.Text()
		if err := srv.RegisterClient(oauth2test.Client{ID: "webapp", Secret: secret, AnyLoopbackRedirect: true}); err != nil {
			return err
		}
		cfg.Issuer = srv.URL
		cfg.Flow = oauth2client.Config{ClientID: "webapp", ClientSecret: secret}
		cfg.PostLogoutRedirectURL = o.baseURL + "/"
		if o.calendarEndpoint == "" {
			o.calendarEndpoint = srv.URL + "/calendar/v3/"
		}
		fmt.Fprintf(out, "webapp: authorization server (oauth2test, approves at once as alice): %s\n", srv.URL)
	case o.clientSecrets != "":
		cs, err := oauth2client.LoadClientSecrets(o.clientSecrets)
		if err != nil {
			return err
		}
		cfg.ClientSecrets = cs
	default:
		cfg.Issuer = o.issuer
		cfg.Flow = oauth2client.Config{ClientID: o.clientID, ClientSecret: os.Getenv("WEBAPP_CLIENT_SECRET")}
	}

	if o.storeSpec == "" {
		var temp string
		if o.storeSpec, temp, err = defaultStore(o.autoApprove); err != nil {
			return err
		}
		if temp != "" {
			defer os.RemoveAll(temp)
		}
	}
	st, err := spec.Open(ctx, o.storeSpec)
	if err != nil {
		return err
	}
	defer st.Close()
	cfg.Store = st

	if o.cookieKeys == "" {
		cfg.CookieKeys = [][]byte{web.NewCookieKey()}
		fmt.Fprintln(out, "webapp: a new cookie key for this run (sessions end when it stops); set --cookie-key or WEBAPP_COOKIE_KEYS to keep or share one")
	} else if cfg.CookieKeys, err = web.ParseCookieKeys(o.cookieKeys); err != nil {
		return err
	}

	app, err := web.New(cfg)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: routes(app, o.calendarEndpoint), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "webapp: serving %s (store %s)\n", o.baseURL, must(spec.Parse(o.storeSpec)))
	if ready != nil {
		ready(o.baseURL)
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// defaultStore is an SQLite database in the user's config folder, or in a
// new temporary folder (returned, for removal) for --auto-approve, whose
// server lives only as long as the program, or when there is no config
// folder.
func defaultStore(temp bool) (storeSpec, tempDir string, err error) {
	dir, err := os.UserConfigDir()
	if temp || err != nil {
		if dir, err = os.MkdirTemp("", "webapp-"); err != nil {
			return "", "", err
		}
		return "sqlite:" + filepath.Join(dir, "webapp.db"), dir, nil
	}
	return "sqlite:" + filepath.Join(dir, "oauth2client-webapp", "webapp.db"), "", nil
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// routes are the app's pages: home (aware of the user), calendars
// (calendar.readonly), events (one more scope) and the sign-in handlers.
func routes(app *web.App, calendarEndpoint string) http.Handler {
	mux := http.NewServeMux()
	app.Register(mux)
	mux.Handle("GET /{$}", app.Aware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := web.UserFrom(r.Context())
		render(w, "home", map[string]any{"User": u, "SignIn": app.LoginURL("/")})
	})))
	mux.Handle("GET /calendars", app.Required(scopeCalendars)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := web.UserFrom(r.Context())
		opts := []option.ClientOption{option.WithHTTPClient(web.ClientFrom(r.Context()))}
		if calendarEndpoint != "" {
			opts = append(opts, option.WithEndpoint(calendarEndpoint))
		}
		svc, err := calendar.NewService(r.Context(), opts...)
		if err == nil {
			var list *calendar.CalendarList
			if list, err = svc.CalendarList.List().Context(r.Context()).Do(); err == nil {
				render(w, "calendars", map[string]any{"User": u, "Items": list.Items})
				return
			}
		}
		w.WriteHeader(http.StatusBadGateway)
		render(w, "apierror", map[string]any{"User": u, "Err": "The calendar API could not be reached."})
	})))
	mux.Handle("GET /events", app.Required(scopeEvents)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := web.UserFrom(r.Context())
		render(w, "events", map[string]any{"User": u, "Scopes": web.ScopesFrom(r.Context())})
	})))
	return mux
}

// render writes the page name.
func render(w http.ResponseWriter, name string, data map[string]any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	// No form-action 'self': the sign-out form's redirect to the
	// provider's end_session_endpoint (RP-initiated logout) would be
	// blocked by it.
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.Header().Set("Cache-Control", "no-store")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		slog.Error("webapp: page", "name", name, "err", err)
	}
}

var pages = template.Must(template.New("").Parse(`
{{define "top"}}<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>webapp</title></head><body>
<nav><a href="/">Home</a> · <a id="calendars-link" href="/calendars">Calendars</a> · <a id="events-link" href="/events">Events</a>
{{with .User}} · signed in as <span id="user">{{.Email}}</span>
<form method="post" action="/logout" style="display:inline"><button id="sign-out" type="submit">Sign out</button></form>{{end}}</nav>
{{end}}
{{define "home"}}{{template "top" .}}<h1>oauth2client web sample</h1>
{{with .User}}<p id="hello">Hello {{.Name}} ({{.Email}}).</p>
{{else}}<p id="signed-out">You are not signed in. <a id="sign-in" href="{{.SignIn}}">Sign in</a></p>{{end}}
</body></html>{{end}}
{{define "calendars"}}{{template "top" .}}<h1>Your calendars</h1>
<ul id="calendars">{{range .Items}}<li>{{.Summary}} ({{.Id}}, {{.AccessRole}})</li>{{end}}</ul>
</body></html>{{end}}
{{define "events"}}{{template "top" .}}<h1>Events</h1>
<p>This page needs one more scope than the calendars page; you granted:</p>
<ul id="scopes">{{range .Scopes}}<li>{{.}}</li>{{end}}</ul>
</body></html>{{end}}
{{define "apierror"}}{{template "top" .}}<h1>Calendar API problem</h1><p id="message">{{.Err}}</p></body></html>{{end}}
`))
