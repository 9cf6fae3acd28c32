package browsertest

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// newSite starts a small site on 127.0.0.1 with the shapes a sign-in test
// meets: a form that posts and redirects, buttons and links, cookies with
// every flag, and a page that changes after the load event.
func newSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(w http.ResponseWriter, status int, title, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		io.WriteString(w, `<!DOCTYPE html><html><head><title>`+title+`</title></head><body>`+body+`</body></html>`)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page(w, http.StatusOK, "Form", `<h1>Sign in</h1>
<form method="post" action="/submit">
<input type="text" name="name" id="name" value="prefilled">
<button type="submit" name="action" value="go">  Go
 on </button>
<input type="submit" name="action" value="Stop">
</form>
<p><a href="/missing">Missing page</a></p>
<p><button type="button" id="later" onclick="setTimeout(() => { document.getElementById('out').textContent = 'clicked later' }, 300)">Later</button></p>
<p id="out"></p>`)
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "session", Value: "s1", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
		http.SetCookie(w, &http.Cookie{Name: "strict", Value: "s2", Path: "/", SameSite: http.SameSiteStrictMode, Expires: time.Now().Add(time.Hour)})
		http.SetCookie(w, &http.Cookie{Name: "plain", Value: "s3", Path: "/"})
		q := url.Values{"name": {r.PostFormValue("name")}, "action": {r.PostFormValue("action")}}
		http.Redirect(w, r, "/done?"+q.Encode(), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie("session")
		got := "no session"
		if err == nil {
			got = "session " + c.Value
		}
		page(w, http.StatusOK, "Done", `<p id="greeting">Hello `+html.EscapeString(r.URL.Query().Get("name"))+`, you chose `+html.EscapeString(r.URL.Query().Get("action"))+`.</p><p>`+got+`</p>`)
	})
	mux.HandleFunc("GET /secure", func(w http.ResponseWriter, r *http.Request) {
		http.SetCookie(w, &http.Cookie{Name: "__Host-s", Value: "s4", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode})
		page(w, http.StatusOK, "Secure", `<p>Secure cookie set.</p>`)
	})
	mux.HandleFunc("GET /missing", func(w http.ResponseWriter, r *http.Request) {
		page(w, http.StatusNotFound, "Missing", `<p>Nothing here.</p>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestBrowser(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	b := Start(t)
	tab := b.NewTab(t)

	if got := tab.Navigate(site.URL); got != http.StatusOK {
		t.Errorf("Navigate status %d, want 200", got)
	}
	if got := tab.Title(); got != "Form" {
		t.Errorf("Title %q", got)
	}

	// A click whose effect comes later is waited for.
	tab.Click("#later")
	if got := tab.WaitText("clicked later"); !strings.Contains(got, "Sign in") {
		t.Errorf("WaitText returned %q", got)
	}

	// Typing replaces the value; a button found by its trimmed text
	// submits the form, and the waits follow the POST and the redirect.
	tab.Type("#name", "Zoë O'Brien")
	tab.ClickButton("Go on")
	u := tab.WaitURLPrefix(site.URL + "/done")
	if got := u.Query().Get("name"); got != "Zoë O'Brien" {
		t.Errorf("typed name arrived as %q", got)
	}
	if got := tab.Text("#greeting"); got != "Hello Zoë O'Brien, you chose go." {
		t.Errorf("Text = %q", got)
	}
	if got := tab.Status(); got != http.StatusOK {
		t.Errorf("Status after the redirect = %d", got)
	}
	if got := tab.URL().Path; got != "/done" {
		t.Errorf("URL path %q", got)
	}

	// Cookies come back with their flags.
	session := tab.Cookie("session")
	if session == nil || session.Value != "s1" || !session.HttpOnly || session.Secure || session.SameSite != http.SameSiteLaxMode || !session.Expires.IsZero() {
		t.Errorf("session cookie = %+v", session)
	}
	strict := tab.Cookie("strict")
	if strict == nil || strict.HttpOnly || strict.SameSite != http.SameSiteStrictMode || time.Until(strict.Expires) < 30*time.Minute {
		t.Errorf("strict cookie = %+v", strict)
	}
	if plain := tab.Cookie("plain"); plain == nil || plain.SameSite != 0 {
		t.Errorf("plain cookie = %+v", plain)
	}
	if got := len(tab.CookiesFor(site.URL + "/anything")); got != 3 {
		t.Errorf("CookiesFor: %d cookies, want 3", got)
	}

	// Chromium takes http://127.0.0.1 for a secure context: a Secure
	// cookie, even __Host- prefixed, is kept over plain-HTTP loopback.
	tab.Navigate(site.URL + "/secure")
	if c := tab.Cookie("__Host-s"); c == nil || !c.Secure || !c.HttpOnly {
		t.Errorf("secure cookie over loopback = %+v", c)
	}

	// An input labelled by its value; a link; a status other than 200.
	tab.Navigate(site.URL)
	tab.ClickButton("Stop")
	tab.WaitText("you chose Stop.")
	tab.Navigate(site.URL)
	tab.ClickButton("Missing page")
	tab.WaitText("Nothing here.")
	if got := tab.Status(); got != http.StatusNotFound {
		t.Errorf("Status of the missing page = %d, want 404", got)
	}
}

// TestTabs: tabs of one browser share cookies, an isolated tab has its own;
// closing a tab leaves the others working.
func TestTabs(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	b := Start(t)
	first, second, other := b.NewTab(t), b.NewTab(t), b.NewIsolatedTab(t)

	first.Navigate(site.URL)
	first.ClickButton("Go on")
	first.WaitText("session s1")

	second.Navigate(site.URL + "/done")
	second.WaitText("session s1")
	other.Navigate(site.URL + "/done")
	other.WaitText("no session")
	if c := other.Cookie("session"); c != nil {
		t.Errorf("the isolated tab sees the session cookie %+v", c)
	}

	// Cookies planted and deleted by the test.
	other.SetCookie(site.URL, &http.Cookie{Name: "session", Value: "forged", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	other.Navigate(site.URL + "/done")
	other.WaitText("session forged")
	if c := other.Cookie("session"); c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" {
		t.Errorf("planted cookie reads back as %+v", c)
	}
	second.DeleteCookie(site.URL, "session")
	first.Navigate(site.URL + "/done")
	first.WaitText("no session")

	second.Close()
	second.Close()
	first.Navigate(site.URL)
	first.WaitText("Sign in")
}

// TestStopLeavesNoProcess: the browser runs with the flags of DESIGN.md,
// and once a test's cleanups ran, no process of its browser is left.
func TestStopLeavesNoProcess(t *testing.T) {
	t.Parallel()
	var dataDir string
	t.Run("browser", func(t *testing.T) {
		b := Start(t)
		b.NewTab(t)
		dataDir = b.dataDir
		pids := processesUsing(dataDir)
		if len(pids) == 0 {
			t.Fatal("no process found with the browser's profile: the check below would prove nothing")
		}
		var main []string
		for _, pid := range pids {
			cmdline, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
			if args := strings.Split(string(cmdline), "\x00"); slices.Contains(args, "--remote-debugging-pipe") {
				main = args
			}
		}
		for _, f := range append([]string{"--headless", "--user-data-dir=" + dataDir}, flagArgs()...) {
			if !slices.Contains(main, f) {
				t.Errorf("the browser's command line %q lacks %s", main, f)
			}
		}
	})
	if t.Failed() {
		return
	}
	if pids := processesUsing(dataDir); len(pids) > 0 {
		t.Errorf("browser processes left running: %v", pids)
	}
}

// fakeTB records what Start and the tabs report, and ends only the
// goroutine it runs in where testing.T would end the test.
type fakeTB struct {
	testing.TB
	artifacts string

	mu     sync.Mutex // guards the fields below
	failed bool
	logs   []string
	ended  string // "skip: ..." or "fatal: ..."
}

func (f *fakeTB) Helper()             {}
func (f *fakeTB) ArtifactDir() string { return f.artifacts }
func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Failed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.failed
}
func (f *fakeTB) end(kind string, args ...any) {
	f.mu.Lock()
	f.ended = kind + ": " + fmt.Sprint(args...)
	f.failed = kind == "fatal"
	f.mu.Unlock()
	runtime.Goexit()
}
func (f *fakeTB) Skip(args ...any)                  { f.end("skip", args...) }
func (f *fakeTB) Fatal(args ...any)                 { f.end("fatal", args...) }
func (f *fakeTB) Fatalf(format string, args ...any) { f.end("fatal", fmt.Sprintf(format, args...)) }

// run calls fn with f in a goroutine of its own and waits for it to end.
func (f *fakeTB) run(fn func(tb testing.TB)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
}

// TestMissingChromium: without the browser, Start skips, naming what is
// missing and how to install it; with CI=true it fails.
func TestMissingChromium(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-chromium")
	t.Setenv(EnvPath, missing)
	for _, ci := range []string{"", "true"} {
		t.Run("CI="+ci, func(t *testing.T) {
			t.Setenv("CI", ci)
			f := &fakeTB{TB: t}
			f.run(func(tb testing.TB) { Start(tb); t.Error("Start returned without a browser") })
			want := "skip: "
			if ci == "true" {
				want = "fatal: "
			}
			for _, s := range []string{want, missing, "$CHROMIUM", "apt-get install chromium"} {
				if !strings.Contains(f.ended, s) {
					t.Errorf("Start reported %q, want it to contain %q", f.ended, s)
				}
			}
		})
	}
}

// TestFailure: an action that cannot succeed fails the test within the
// timeout, naming the action and the page; the failed test's tabs are
// saved as screenshots whose paths are logged with the page's text.
func TestFailure(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	artifacts := t.TempDir()
	var f *fakeTB
	t.Run("inner", func(t *testing.T) {
		f = &fakeTB{TB: t, artifacts: artifacts}
		var b *Browser
		f.run(func(tb testing.TB) { b = Start(tb) })
		f.run(func(tb testing.TB) {
			tab := b.NewTab(tb)
			tab.Navigate(site.URL + "/done?name=Ann&action=go&code=secret-code")
			b.Timeout = 2 * time.Second
			tab.WaitText("Goodbye")
		})
	})
	for _, s := range []string{`fatal: browsertest: tab 1: waiting for the text "Goodbye": not there within 2s`, "Hello Ann, you chose go.", "/done?...)"} {
		if !strings.Contains(f.ended, s) {
			t.Errorf("failure %q does not contain %q", f.ended, s)
		}
	}
	if strings.Contains(f.ended, "secret-code") {
		t.Errorf("failure shows the URL's query: %q", f.ended)
	}
	logs := strings.Join(f.logs, "\n")
	m := regexp.MustCompile(`screenshot: (\S+\.png)`).FindStringSubmatch(logs)
	if m == nil {
		t.Fatalf("no screenshot logged:\n%s", logs)
	}
	if !strings.HasPrefix(m[1], artifacts) || !strings.Contains(logs, "Hello Ann") {
		t.Errorf("screenshot log:\n%s", logs)
	}
	png, err := os.ReadFile(m[1])
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n")) {
		t.Errorf("screenshot %s: %d bytes, %v", m[1], len(png), err)
	}
}

// TestHistoryAndEval: Back, Reload and Eval, with a promise.
func TestHistoryAndEval(t *testing.T) {
	t.Parallel()
	site := newSite(t)
	b := Start(t)
	tab := b.NewTab(t)
	tab.Navigate(site.URL + "/done?name=One")
	tab.Navigate(site.URL + "/done?name=Two")
	tab.Back()
	tab.WaitText("Hello One")
	tab.Reload()
	tab.WaitText("Hello One")
	if got := Eval[int](tab, `fetch("/missing").then(r => r.status)`); got != http.StatusNotFound {
		t.Errorf("fetch status %d, want 404", got)
	}
	if got := Eval[string](tab, `document.querySelector("#greeting").textContent`); !strings.HasPrefix(got, "Hello One") {
		t.Errorf("Eval = %q", got)
	}
}

// flagArgs returns flags as command-line arguments.
func flagArgs() []string {
	var args []string
	for _, f := range flags {
		args = append(args, "--"+f)
	}
	return args
}
