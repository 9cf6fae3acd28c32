package browsertest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// pollInterval is how often the Wait methods look at the page again.
const pollInterval = 50 * time.Millisecond

// Tab is one page of a [Browser]. Its methods end its test with t.Fatal
// when their action fails or takes longer than the browser's Timeout; call
// them from that test's goroutine. Tabs may be used in parallel.
type Tab struct {
	b      *Browser
	t      testing.TB // the test the tab reports to
	name   string     // "tab N", in messages
	ctx    context.Context
	cancel context.CancelFunc

	mu     sync.Mutex // guards status
	status int        // HTTP status of the last document loaded
}

// NewTab opens a new tab that reports to t: the test that started the
// browser, or one of its subtests. The tab shares the browser's cookie jar
// with its other tabs (as a second tab of one person's browser does). It
// is closed by [Tab.Close] or at the end of t; if t failed, a screenshot
// of it is saved first.
func (b *Browser) NewTab(t testing.TB) *Tab {
	t.Helper()
	return b.newTab(t)
}

// NewIsolatedTab opens a new tab, reporting to t, in a browser context of
// its own (like an incognito window): its cookies are neither seen nor
// shared by the other tabs, as if it were another person's browser.
func (b *Browser) NewIsolatedTab(t testing.TB) *Tab {
	t.Helper()
	return b.newTab(t, chromedp.WithNewBrowserContext())
}

func (b *Browser) newTab(t testing.TB, opts ...chromedp.ContextOption) *Tab {
	t.Helper()
	if b.ctx.Err() != nil {
		t.Fatal("browsertest: opening a tab: the browser is closed (its test has ended)")
	}
	b.mu.Lock()
	b.tabs++
	tab := &Tab{b: b, t: t, name: "tab " + strconv.Itoa(b.tabs)}
	b.mu.Unlock()
	opts = append(opts, chromedp.WithListener(tab.listen))
	tab.ctx, tab.cancel = chromedp.NewContext(b.ctx, opts...)
	// Cleanups run last-in first-out: the screenshot is taken before the
	// browser closes.
	t.Cleanup(tab.cleanup)
	if err := firstRun(tab.ctx, b.Timeout); err != nil {
		tab.cancel()
		t.Fatalf("browsertest: opening %s: %v", tab.name, err)
	}
	return tab
}

// listen records the status of each document the tab loads.
func (tab *Tab) listen(ev any) {
	if ev, ok := ev.(*network.EventResponseReceived); ok && ev.Type == network.ResourceTypeDocument && ev.Response != nil {
		tab.mu.Lock()
		tab.status = int(ev.Response.Status)
		tab.mu.Unlock()
	}
}

// Close closes the tab. Closing a closed tab does nothing.
func (tab *Tab) Close() {
	tab.cancel()
}

// cleanup saves a screenshot when the test failed, then closes the tab.
func (tab *Tab) cleanup() {
	if tab.t.Failed() && tab.ctx.Err() == nil {
		tab.saveScreenshot()
	}
	tab.cancel()
}

// run runs a on the tab within the browser's Timeout, or ends the test.
func (tab *Tab) run(what string, a chromedp.Action[chromedp.Void]) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	if err := chromedp.Do(ctx, a); err != nil {
		tab.fatalf("%s: %v", what, err)
	}
}

// fatalf ends the test with a message naming the tab and its page.
func (tab *Tab) fatalf(format string, args ...any) {
	tab.t.Helper()
	tab.t.Fatalf("browsertest: %s: %s (on %s)", tab.name, fmt.Sprintf(format, args...), tab.where())
}

// where describes the tab's current page for messages, with its query
// redacted: it may hold a code or a state.
func (tab *Tab) where() string {
	ctx, cancel := context.WithTimeout(tab.ctx, time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "a page that does not answer: " + err.Error()
	}
	return redact(loc)
}

// redact returns rawURL for a message, with its query (which may hold a
// code, a state or a token) replaced by "...".
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "an unparsable URL"
	}
	return urlpolicy.RedactQuery(u)
}

// Navigate loads rawURL in the tab, waits for the page's load event and
// returns the HTTP status of the document it ends on (after redirects).
func (tab *Tab) Navigate(rawURL string) int {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(rawURL))
	if err != nil {
		tab.fatalf("navigating to %s: %v", redact(rawURL), err)
	}
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// Status returns the HTTP status of the last document the tab loaded, by
// [Tab.Navigate], a click or a redirect, or 0 before the first.
func (tab *Tab) Status() int {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return tab.status
}

// Click clicks the first element matching the CSS selector, once it is
// visible (waiting across navigations). It does not wait for a navigation
// the click starts: follow it with a Wait method.
func (tab *Tab) Click(selector string) {
	tab.t.Helper()
	what := "clicking " + selector
	tab.waitElement(what, cssJS(selector))
	tab.run(what, chromedp.Click(chromedp.CSS(selector), chromedp.NodeVisible))
}

// ClickButton clicks the first button, submit or button input, or link
// whose text (or value, for inputs) is label once spaces are collapsed and
// trimmed, once it is visible. Like [Tab.Click], it does not wait for a
// navigation.
func (tab *Tab) ClickButton(label string) {
	tab.t.Helper()
	what := "clicking the button " + strconv.Quote(label)
	tab.waitElement(what, buttonJS(label))
	tab.run(what, chromedp.Click(chromedp.JSPath(buttonJS(label)), chromedp.NodeVisible))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}

// cssJS is a JavaScript expression giving the first element matching the
// CSS selector, or null.
func cssJS(selector string) string {
	return "document.querySelector(" + jsString(selector) + ")"
}

// buttonJS is a JavaScript expression giving the first button, submit or
// button input, or link labelled label, or null.
func buttonJS(label string) string {
	return `(() => {
	const want = ` + jsString(label) + `;
	for (const e of document.querySelectorAll('button, input[type=submit], input[type=button], a')) {
		const text = e.tagName === 'INPUT' ? e.value : e.textContent;
		if (text.replace(/\s+/g, ' ').trim() === want) return e;
	}
	return null;
})()`
}

// waitElement waits until the JavaScript expression elemJS gives a visible
// element, looking again after each navigation, or ends the test.
func (tab *Tab) waitElement(what, elemJS string) {
	tab.t.Helper()
	visible := "(() => { const e = " + elemJS + "; return !!e && e.checkVisibility(); })()"
	ok := tab.poll(func(ctx context.Context) bool {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](visible))
		return err == nil && v
	})
	if !ok {
		tab.fatalf("%s: no such visible element within %v", what, tab.b.Timeout)
	}
}

// Type replaces the value of the input or textarea matching the CSS
// selector with text, typed key by key as a person would, once it is
// visible.
func (tab *Tab) Type(selector, text string) {
	tab.t.Helper()
	what := "typing into " + selector
	tab.waitElement(what, cssJS(selector))
	sel := chromedp.CSS(selector)
	tab.run(what, chromedp.Steps(
		chromedp.Clear(sel, chromedp.NodeVisible),
		chromedp.SendKeys(sel, text, chromedp.NodeVisible),
	))
}

// WaitVisible waits until an element matching the CSS selector is
// visible, across any navigations on the way.
func (tab *Tab) WaitVisible(selector string) {
	tab.t.Helper()
	tab.waitElement("waiting for "+selector, cssJS(selector))
}

// WaitText waits until the page's visible text contains text, across any
// navigations on the way, and returns the whole visible text.
func (tab *Tab) WaitText(text string) string {
	tab.t.Helper()
	var last string
	ok := tab.poll(func(ctx context.Context) bool {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageTextJS))
		if err == nil {
			last = s
		}
		return err == nil && strings.Contains(s, text)
	})
	if !ok {
		tab.fatalf("waiting for the text %s: not there within %v; the page says:\n%s", strconv.Quote(text), tab.b.Timeout, urlpolicy.Clip(last, 2000))
	}
	return last
}

// WaitURL waits until the tab's URL satisfies match, across any
// navigations on the way, and returns it.
func (tab *Tab) WaitURL(match func(*url.URL) bool) *url.URL {
	tab.t.Helper()
	var found *url.URL
	ok := tab.poll(func(ctx context.Context) bool {
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			return false
		}
		u, err := url.Parse(loc)
		if err != nil || !match(u) {
			return false
		}
		found = u
		return true
	})
	if !ok {
		tab.fatalf("waiting for a URL: none matched within %v", tab.b.Timeout)
	}
	return found
}

// WaitURLPrefix waits until the tab's URL starts with prefix (such as an
// application's origin followed by "/"), and returns it.
func (tab *Tab) WaitURLPrefix(prefix string) *url.URL {
	tab.t.Helper()
	return tab.WaitURL(func(u *url.URL) bool { return strings.HasPrefix(u.String(), prefix) })
}

// poll calls check until it reports true, or the browser's Timeout passes.
// Each check gets a short context of its own, so that a page being replaced
// does not hold it up.
func (tab *Tab) poll(check func(ctx context.Context) bool) bool {
	deadline := time.Now().Add(tab.b.Timeout)
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(tab.ctx, min(time.Until(deadline), 2*time.Second))
		ok := check(ctx)
		cancel()
		if ok {
			return true
		}
		if tab.ctx.Err() != nil || !time.Now().Before(deadline) {
			return false
		}
		<-tick.C
	}
}

// pageTextJS gives the page's visible text.
const pageTextJS = `document.body ? document.body.innerText : ""`

// Text returns the visible text of the first element matching the CSS
// selector, waiting for it to exist.
func (tab *Tab) Text(selector string) string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		tab.fatalf("reading the text of %s: %v", selector, err)
	}
	return s
}

// PageText returns the page's visible text (document.body.innerText).
func (tab *Tab) PageText() string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](pageTextJS))
	if err != nil {
		tab.fatalf("reading the page's text: %v", err)
	}
	return s
}

// URL returns the tab's current URL.
func (tab *Tab) URL() *url.URL {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		tab.fatalf("reading the URL: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		tab.fatalf("parsing the URL: %v", urlpolicy.RedactURLError(err))
	}
	return u
}

// Title returns the page's title.
func (tab *Tab) Title() string {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil {
		tab.fatalf("reading the title: %v", err)
	}
	return s
}

// Reload reloads the tab's page and waits for its load event.
func (tab *Tab) Reload() {
	tab.t.Helper()
	tab.run("reloading", chromedp.Reload())
}

// Back goes back one page in the tab's history, as the browser's Back
// button does. The page may come from the browser's back-forward cache,
// without a load event, so Back does not wait for it: follow it with a
// Wait method.
func (tab *Tab) Back() {
	tab.t.Helper()
	tab.run("going back", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any]("history.back()")(ctx, t)
		if errors.Is(err, chromedp.ErrJSUndefined) {
			err = nil
		}
		return chromedp.Void{}, err
	})
}

// Eval evaluates the JavaScript expression in tab's page, waiting for its
// value if it is a promise, and returns the value decoded into T as JSON.
// For example, a request as the page's scripts would make it:
//
//	status := browsertest.Eval[int](tab, `fetch("/calendars", {headers: {Accept: "application/json"}}).then(r => r.status)`)
func Eval[T any](tab *Tab, expression string) T {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expression, chromedp.EvalAwaitPromise))
	if err != nil {
		tab.fatalf("evaluating %s: %v", urlpolicy.Clip(expression, 200), err)
	}
	return v
}
