package oidcprovidertest

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
)

// maxSteps bounds the requests one Login, Deny or ApproveDevice makes.
const maxSteps = 20

// maxPage bounds the bytes read from one provider response.
const maxPage = 1 << 20

// Password is what Login types into the password field: the provider
// accepts any.
const Password = "any password"

// Login signs user in to the provider and approves the consent prompt, the
// way a person in a browser would: it GETs authURL (an authorization request
// built by the caller), submits the login form with user and [Password],
// submits the consent form, and follows redirects until the provider
// redirects to somewhere outside its own origin. It returns that redirect
// (the client's redirect URI with code, state and iss, or with error) without
// following it.
//
// client may be nil. Login uses a copy of client that does not follow
// redirects and, if client has no cookie jar, has a new one; a client with
// a jar keeps the provider's session, so a second Login for the same user
// may skip the forms.
func Login(ctx context.Context, client *http.Client, authURL, user string) (*url.URL, error) {
	return walk(ctx, client, authURL, user, "login", "")
}

// Deny signs user in like [Login] and then cancels at the consent prompt, so
// the provider redirects to the client with error=access_denied. It returns
// that redirect without following it.
func Deny(ctx context.Context, client *http.Client, authURL, user string) (*url.URL, error) {
	return walk(ctx, client, authURL, user, "deny", "")
}

// ApproveDevice approves a device authorization (RFC 8628) as user: it opens
// verificationURI with the user code, confirms it, signs in, approves the
// consent prompt and checks that the provider reports success. The device's
// next token request then gets its tokens. client may be nil, as for
// [Login].
func ApproveDevice(ctx context.Context, client *http.Client, verificationURI, userCode, user string) error {
	u, err := url.Parse(verificationURI)
	if err != nil {
		return fmt.Errorf("oidcprovidertest: verification URI: %w", err)
	}
	q := u.Query()
	q.Set("user_code", userCode)
	u.RawQuery = q.Encode()
	_, err = walk(ctx, client, u.String(), user, "device", userCode)
	return err
}

// walk drives the provider's pages. mode is "login", "deny" or "device".
func walk(ctx context.Context, client *http.Client, start, user, mode, userCode string) (*url.URL, error) {
	c, err := prepare(client)
	if err != nil {
		return nil, err
	}
	startURL, err := url.Parse(start)
	if err != nil {
		return nil, fmt.Errorf("oidcprovidertest: start URL: %w", err)
	}
	origin := startURL.Scheme + "://" + startURL.Host

	method, target, form := http.MethodGet, startURL, url.Values(nil)
	for range maxSteps {
		resp, body, err := send(ctx, c, method, target, form)
		if err != nil {
			return nil, err
		}
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400:
			loc, err := resp.Location()
			if err != nil {
				return nil, fmt.Errorf("oidcprovidertest: %d from %s without a usable Location: %w", resp.StatusCode, target.Path, err)
			}
			if loc.Scheme+"://"+loc.Host != origin {
				if mode == "device" {
					return nil, fmt.Errorf("oidcprovidertest: device flow redirected out of the provider to %s", loc.Redacted())
				}
				return loc, nil
			}
			method, target, form = http.MethodGet, loc, nil
		case resp.StatusCode == http.StatusOK:
			if msg := pageError(body); msg != "" {
				return nil, fmt.Errorf("oidcprovidertest: provider page %s reports: %s", target.Path, msg)
			}
			if mode == "device" && strings.Contains(body, `id="device-success"`) {
				return nil, nil
			}
			if mode == "deny" && strings.Contains(body, `name="prompt" value="consent"`) {
				abort := abortRe.FindStringSubmatch(body)
				if abort == nil {
					return nil, fmt.Errorf("oidcprovidertest: consent page %s has no cancel link", target.Path)
				}
				ref, err := url.Parse(html.UnescapeString(abort[1]))
				if err != nil {
					return nil, fmt.Errorf("oidcprovidertest: cancel link: %w", err)
				}
				method, target, form = http.MethodGet, target.ResolveReference(ref), nil
				continue
			}
			action, values, ok := firstForm(body)
			if !ok {
				return nil, fmt.Errorf("oidcprovidertest: page %s (%q) has no form to submit", target.Path, title(body))
			}
			if _, ok := values["login"]; ok {
				values.Set("login", user)
				values.Set("password", Password)
			}
			if _, ok := values["user_code"]; ok && values.Get("user_code") == "" {
				values.Set("user_code", userCode)
			}
			ref, err := url.Parse(action)
			if err != nil {
				return nil, fmt.Errorf("oidcprovidertest: form action on %s: %w", target.Path, err)
			}
			method, target, form = http.MethodPost, target.ResolveReference(ref), values
		default:
			msg := pageError(body)
			if msg == "" {
				msg = title(body)
			}
			return nil, fmt.Errorf("oidcprovidertest: %s %s: status %d: %s", method, target.Path, resp.StatusCode, msg)
		}
	}
	return nil, fmt.Errorf("oidcprovidertest: no result after %d requests (last %s)", maxSteps, target.Path)
}

// prepare returns a copy of client that does not follow redirects and has a
// cookie jar.
func prepare(client *http.Client) (*http.Client, error) {
	var c http.Client
	if client != nil {
		c = *client
	}
	if c.Jar == nil {
		jar, err := cookiejar.New(nil)
		if err != nil {
			return nil, fmt.Errorf("oidcprovidertest: cookie jar: %w", err)
		}
		c.Jar = jar
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c, nil
}

// send makes one request and reads at most maxPage bytes of its body.
func send(ctx context.Context, c *http.Client, method string, target *url.URL, form url.Values) (*http.Response, string, error) {
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, target.String(), body)
	if err != nil {
		return nil, "", fmt.Errorf("oidcprovidertest: %s %s: %w", method, target.Path, err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.Do(req)
	if err != nil {
		// The URL may hold a user code or state: name only the path.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, "", fmt.Errorf("oidcprovidertest: %s %s: %w", method, target.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxPage))
	if err != nil {
		return nil, "", fmt.Errorf("oidcprovidertest: reading %s %s: %w", method, target.Path, err)
	}
	return resp, string(b), nil
}

var (
	formRe  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputRe = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrRe  = regexp.MustCompile(`(?is)([a-z_:-]+)\s*=\s*"([^"]*)"`)
	abortRe = regexp.MustCompile(`(?is)<a\s+href="([^"]*/abort)"`)
	titleRe = regexp.MustCompile(`(?is)<title>(.*?)</title>`)
	errorRe = regexp.MustCompile(`(?is)<(?:pre|p) (?:id|class)="error"[^>]*>(.*?)</(?:pre|p)>`)
)

// firstForm returns the action and the named inputs of the page's first
// form. The provider's pages are generated by oidc-provider and
// server.mjs, whose attributes are all double-quoted.
func firstForm(page string) (action string, values url.Values, ok bool) {
	m := formRe.FindStringSubmatch(page)
	if m == nil {
		return "", nil, false
	}
	attrs := attributes(m[1])
	values = url.Values{}
	for _, in := range inputRe.FindAllStringSubmatch(m[2], -1) {
		a := attributes(in[1])
		name, ok := a["name"]
		if !ok || a["type"] == "submit" {
			continue
		}
		values.Set(name, a["value"])
	}
	return attrs["action"], values, true
}

// attributes parses double-quoted HTML attributes, unescaping values.
func attributes(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRe.FindAllStringSubmatch(s, -1) {
		out[strings.ToLower(m[1])] = html.UnescapeString(m[2])
	}
	return out
}

// pageError returns the error an error page of server.mjs names, if any.
func pageError(page string) string {
	m := errorRe.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.TrimSpace(html.UnescapeString(m[1]))
}

// title returns the page's title, for error messages.
func title(page string) string {
	m := titleRe.FindStringSubmatch(page)
	if m == nil {
		return "no title"
	}
	return strings.TrimSpace(html.UnescapeString(m[1]))
}
