package browsertest

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Cookies returns the cookies the tab's browser context holds for its
// current page, with Domain, Path, Expires (zero for a session cookie),
// HttpOnly, Secure and SameSite as the browser stored them.
func (tab *Tab) Cookies() []*http.Cookie {
	tab.t.Helper()
	return tab.cookies("reading the cookies", nil)
}

// CookiesFor returns the cookies the tab would send with a request to
// rawURL, as [Tab.Cookies] does.
func (tab *Tab) CookiesFor(rawURL string) []*http.Cookie {
	tab.t.Helper()
	return tab.cookies("reading the cookies for "+redact(rawURL), []string{rawURL})
}

// Cookie returns the cookie named name of the tab's current page, or nil.
func (tab *Tab) Cookie(name string) *http.Cookie {
	tab.t.Helper()
	for _, c := range tab.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func (tab *Tab) cookies(what string, urls []string) []*http.Cookie {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: urls})
	if err != nil {
		tab.fatalf("%s: %v", what, err)
	}
	out := make([]*http.Cookie, 0, len(res.Cookies))
	for _, c := range res.Cookies {
		out = append(out, httpCookie(c))
	}
	return out
}

// httpCookie converts a cookie of the DevTools protocol.
func httpCookie(c *network.Cookie) *http.Cookie {
	hc := &http.Cookie{
		Name:     c.Name,
		Value:    c.Value,
		Domain:   c.Domain,
		Path:     c.Path,
		HttpOnly: c.HTTPOnly,
		Secure:   c.Secure,
		SameSite: sameSite[c.SameSite],
	}
	if !c.Session && c.Expires > 0 && !math.IsInf(c.Expires, 0) {
		sec, frac := math.Modf(c.Expires)
		hc.Expires = time.Unix(int64(sec), int64(frac*1e9))
	}
	return hc
}

// sameSite maps the protocol's SameSite values to net/http's; a cookie
// without the attribute maps to the zero value.
var sameSite = map[network.CookieSameSite]http.SameSite{
	network.CookieSameSiteStrict: http.SameSiteStrictMode,
	network.CookieSameSiteLax:    http.SameSiteLaxMode,
	network.CookieSameSiteNone:   http.SameSiteNoneMode,
}

// SetCookie stores c in the tab's browser context as if rawURL had set it
// (its Domain and Path default from rawURL): to plant a stale, forged or
// tampered cookie.
func (tab *Tab) SetCookie(rawURL string, c *http.Cookie) {
	tab.t.Helper()
	p := network.SetCookieParams{
		Name:     c.Name,
		Value:    c.Value,
		URL:      rawURL,
		Domain:   c.Domain,
		Path:     c.Path,
		Secure:   &c.Secure,
		HTTPOnly: &c.HttpOnly,
	}
	for k, v := range sameSite {
		if v == c.SameSite {
			p.SameSite = k
		}
	}
	if !c.Expires.IsZero() {
		p.Expires = cdp.TimeSinceEpoch(float64(c.Expires.UnixNano()) / 1e9)
	}
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.SetCookie, p); err != nil {
		tab.fatalf("setting the cookie %s: %v", c.Name, err)
	}
}

// DeleteCookie deletes the cookies named name that the tab would send to
// rawURL.
func (tab *Tab) DeleteCookie(rawURL, name string) {
	tab.t.Helper()
	ctx, cancel := context.WithTimeout(tab.ctx, tab.b.Timeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, network.DeleteCookies, network.DeleteCookiesParams{Name: name, URL: rawURL}); err != nil {
		tab.fatalf("deleting the cookie %s: %v", name, err)
	}
}
