package web_test

import (
	"fmt"
	"log"
	"net/http"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/web"
)

// exampleApp returns an app signing users in at an in-process
// authorization server that approves at once.
func exampleApp(baseURL string) (*web.App, func()) {
	srv := oauth2test.NewServer(&oauth2test.Options{AutoApprove: true})
	srv.RegisterClient(oauth2test.Client{ID: "my-app", Secret: "s3cret", AnyLoopbackRedirect: true})
	app, err := web.New(web.Config{
		BaseURL:    baseURL,
		Issuer:     srv.URL, // discovery; or ClientSecrets, or Flow.Endpoint
		Flow:       oauth2client.Config{ClientID: "my-app", ClientSecret: "s3cret"},
		Store:      store.NewMemory(), // sqlstore for replicas
		CookieKeys: [][]byte{web.NewCookieKey()},
	})
	if err != nil {
		log.Fatal(err)
	}
	return app, srv.Close
}

func ExampleNew() {
	app, stop := exampleApp("http://127.0.0.1:8080")
	defer stop()
	mux := http.NewServeMux()
	app.Register(mux) // /login, /oauth2callback, /logout
	fmt.Println(app.LoginURL("/calendars"))
	// Output: /login?return_to=%2Fcalendars
}

func ExampleApp_Required() {
	app, stop := exampleApp("http://127.0.0.1:8080")
	defer stop()
	mux := http.NewServeMux()
	app.Register(mux)
	calendars := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, _ := web.UserFrom(r.Context())
		resp, err := web.ClientFrom(r.Context()).Get(u.Issuer + oauth2test.PathCalendarList)
		if err != nil {
			http.Error(w, "calendar API unavailable", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		fmt.Fprintf(w, "calendars of %s: %s", u.Email, resp.Status)
	})
	mux.Handle("/calendars", app.Required("https://www.googleapis.com/auth/calendar.readonly")(calendars))
	// http.ListenAndServe("127.0.0.1:8080", mux)
}

func ExampleApp_Aware() {
	app, stop := exampleApp("http://127.0.0.1:8080")
	defer stop()
	home := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, ok := web.UserFrom(r.Context()); ok {
			fmt.Fprintf(w, "Hello %s. <a href=%q>Sign out</a>", u.Name, "/logout")
			return
		}
		fmt.Fprintf(w, "<a href=%q>Sign in</a>", app.LoginURL("/"))
	})
	http.Handle("/{$}", app.Aware(home))
}

func ExampleApp_Handler() {
	app, stop := exampleApp("http://127.0.0.1:8080")
	defer stop()
	// The login, callback and logout handlers, mounted by path.
	mux := http.NewServeMux()
	mux.Handle("/login", app.Handler())
	mux.Handle("/oauth2callback", app.Handler())
	mux.Handle("/logout", app.Handler())
	fmt.Println(app.LoginURL("/contacts", "https://www.googleapis.com/auth/contacts.readonly"))
	// Output: /login?return_to=%2Fcontacts&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcontacts.readonly
}

func ExampleCheckReturnTo() {
	for _, s := range []string{"/calendars?week=2", "//evil.example", "https://evil.example", `/\evil.example`, "javascript:alert(1)"} {
		rt, err := web.CheckReturnTo(s)
		fmt.Printf("%q %q %v\n", s, rt, err == nil)
	}
	// Output:
	// "/calendars?week=2" "/calendars?week=2" true
	// "//evil.example" "" false
	// "https://evil.example" "" false
	// "/\\evil.example" "" false
	// "javascript:alert(1)" "" false
}

func ExampleParseCookieKeys() {
	// Replicas share the keys, e.g. from an environment variable: the
	// newest first (it seals), then retired ones (they still open).
	shared := web.FormatCookieKeys(web.NewCookieKey(), web.NewCookieKey())
	keys, err := web.ParseCookieKeys(shared)
	fmt.Println(len(keys), err)
	// Output: 2 <nil>
}
