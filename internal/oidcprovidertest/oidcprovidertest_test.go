package oidcprovidertest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// These tests speak OAuth 2.0 with plain net/http, so that they check the
// provider and the helpers, not the library under test.

// redirectURI uses a port nothing listens on: the provider accepts any
// port for its native clients, and Login never follows the last redirect.
const redirectURI = "http://127.0.0.1:49152/callback"

type metadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	UserinfoEndpoint      string   `json:"userinfo_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	IntrospectionEndpoint string   `json:"introspection_endpoint"`
	DeviceEndpoint        string   `json:"device_authorization_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	ISSParameter          bool     `json:"authorization_response_iss_parameter_supported"`
	AuthMethods           []string `json:"token_endpoint_auth_methods_supported"`
	ChallengeMethods      []string `json:"code_challenge_methods_supported"`
}

func discover(t *testing.T, issuer string) metadata {
	t.Helper()
	resp, err := http.Get(issuer + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m metadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil {
		t.Fatalf("discovery: %v", err)
	}
	return m
}

func random(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func challenge(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// authRequest holds what an authorization request sent.
type authRequest struct {
	URL      string
	State    string
	Verifier string
}

// newAuthRequest builds an authorization URL for clientID; PKCE S256 is
// added unless noPKCE. extra overrides or adds parameters.
func newAuthRequest(t *testing.T, m metadata, clientID string, noPKCE bool, extra url.Values) authRequest {
	t.Helper()
	r := authRequest{State: random(t), Verifier: random(t)}
	q := url.Values{
		"response_type": {"code"},
		"client_id":     {clientID},
		"redirect_uri":  {redirectURI},
		"scope":         {"openid email offline_access"},
		"prompt":        {"consent"},
		"state":         {r.State},
		"nonce":         {random(t)},
	}
	if !noPKCE {
		q.Set("code_challenge", challenge(r.Verifier))
		q.Set("code_challenge_method", "S256")
	}
	for k, v := range extra {
		q[k] = v
	}
	r.URL = m.AuthorizationEndpoint + "?" + q.Encode()
	return r
}

// login runs Login and checks the callback: the redirect URI with code,
// the same state, and iss (RFC 9207).
func login(t *testing.T, m metadata, r authRequest, user string) string {
	t.Helper()
	return loginWith(t, nil, m, r, user)
}

// loginWith is login with an HTTP client.
func loginWith(t *testing.T, client *http.Client, m metadata, r authRequest, user string) string {
	t.Helper()
	cb, err := Login(context.Background(), client, r.URL, user)
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if got := cb.Scheme + "://" + cb.Host + cb.Path; got != redirectURI {
		t.Fatalf("callback to %q, want %q", got, redirectURI)
	}
	q := cb.Query()
	if e := q.Get("error"); e != "" {
		t.Fatalf("callback error %q: %q", e, q.Get("error_description"))
	}
	if q.Get("state") != r.State {
		t.Errorf("callback state does not match")
	}
	if q.Get("iss") != m.Issuer {
		t.Errorf("callback iss = %q, want %q", q.Get("iss"), m.Issuer)
	}
	if q.Get("code") == "" {
		t.Fatalf("callback has no code")
	}
	return q.Get("code")
}

// response is a JSON response from a provider endpoint.
type response struct {
	Status int
	Header http.Header
	Body   map[string]any
}

func (r response) str(key string) string {
	s, _ := r.Body[key].(string)
	return s
}

// post sends form to endpoint, authenticated as c (Basic credentials
// form-urlencoded per RFC 6749 §2.3.1, or in the body).
func post(t *testing.T, endpoint string, c Client, form url.Values) response {
	t.Helper()
	form = cloneValues(form)
	switch c.AuthMethod {
	case "client_secret_basic":
	case "client_secret_post":
		form.Set("client_id", c.ID)
		form.Set("client_secret", c.Secret)
	default:
		form.Set("client_id", c.ID)
	}
	req, err := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if c.AuthMethod == "client_secret_basic" {
		req.SetBasicAuth(url.QueryEscape(c.ID), url.QueryEscape(c.Secret))
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatal(err)
	}
	r := response{Status: resp.StatusCode, Header: resp.Header}
	if len(b) > 0 {
		if err := json.Unmarshal(b, &r.Body); err != nil {
			t.Fatalf("%s %s: status %d, not JSON (%s): %.200q", req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
		}
	}
	return r
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// exchange trades code for tokens, sending the PKCE verifier if not empty.
func exchange(t *testing.T, m metadata, c Client, code, verifier string) response {
	t.Helper()
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirectURI}}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	return post(t, m.TokenEndpoint, c, form)
}

func refresh(t *testing.T, m metadata, c Client, rt string) response {
	t.Helper()
	return post(t, m.TokenEndpoint, c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
}

// wantTokens checks a successful token response.
func wantTokens(t *testing.T, r response, wantRefresh bool) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("token response status %d: %v", r.Status, r.Body)
	}
	if r.str("access_token") == "" {
		t.Errorf("no access_token")
	}
	if r.str("token_type") != "Bearer" {
		t.Errorf("token_type = %q, want Bearer", r.str("token_type"))
	}
	if _, ok := r.Body["expires_in"].(float64); !ok {
		t.Errorf("expires_in = %#v, want a JSON number", r.Body["expires_in"])
	}
	if got := r.str("refresh_token") != ""; got != wantRefresh {
		t.Errorf("refresh_token present = %v, want %v", got, wantRefresh)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control = %q, want no-store", cc)
	}
}

// wantError checks an RFC 6749 §5.2 error response.
func wantError(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.Status != status || r.str("error") != code {
		t.Errorf("got status %d error %q (%q), want %d %q", r.Status, r.str("error"), r.str("error_description"), status, code)
	}
}

func introspect(t *testing.T, m metadata, c Client, token string) response {
	t.Helper()
	r := post(t, m.IntrospectionEndpoint, c, url.Values{"token": {token}})
	if r.Status != http.StatusOK {
		t.Fatalf("introspection status %d: %v", r.Status, r.Body)
	}
	return r
}

func revoke(t *testing.T, m metadata, c Client, token, hint string) {
	t.Helper()
	form := url.Values{"token": {token}}
	if hint != "" {
		form.Set("token_type_hint", hint)
	}
	r := post(t, m.RevocationEndpoint, c, form)
	if r.Status != http.StatusOK {
		t.Fatalf("revocation status %d: %v", r.Status, r.Body)
	}
}

func userinfo(t *testing.T, m metadata, accessToken string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, m.UserinfoEndpoint, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	return do(t, req)
}

func TestProvider(t *testing.T) {
	p := Start(t)
	m := discover(t, p.Issuer)

	t.Run("discovery", func(t *testing.T) {
		if m.Issuer != p.Issuer || !strings.HasPrefix(p.Issuer, "http://127.0.0.1:") {
			t.Errorf("issuer %q, Provider.Issuer %q", m.Issuer, p.Issuer)
		}
		for name, v := range map[string]string{
			"authorization": m.AuthorizationEndpoint, "token": m.TokenEndpoint,
			"userinfo": m.UserinfoEndpoint, "revocation": m.RevocationEndpoint,
			"introspection": m.IntrospectionEndpoint, "device": m.DeviceEndpoint, "jwks": m.JWKSURI,
		} {
			if !strings.HasPrefix(v, p.Issuer+"/") {
				t.Errorf("%s endpoint %q not under the issuer", name, v)
			}
		}
		if !m.ISSParameter {
			t.Errorf("authorization_response_iss_parameter_supported is false")
		}
		if strings.Join(m.ChallengeMethods, " ") != "S256" {
			t.Errorf("code_challenge_methods_supported = %v", m.ChallengeMethods)
		}
	})

	t.Run("public client with PKCE, refresh rotation, userinfo, introspection, revocation", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Public.ID, false, nil)
		code := login(t, m, r, "alice")
		tok := exchange(t, m, p.Public, code, r.Verifier)
		wantTokens(t, tok, true)
		if tok.str("id_token") == "" {
			t.Errorf("no id_token for scope openid")
		}
		if got := tok.str("scope"); got != "openid email offline_access" {
			t.Errorf("scope = %q", got)
		}

		ui := userinfo(t, m, tok.str("access_token"))
		if ui.Status != http.StatusOK || ui.str("sub") != "alice" || ui.str("email") != "alice@example.com" {
			t.Errorf("userinfo: status %d %v", ui.Status, ui.Body)
		}

		in := introspect(t, m, p.Public, tok.str("access_token"))
		if in.Body["active"] != true || in.str("sub") != "alice" || in.str("client_id") != p.Public.ID || in.str("token_type") != "Bearer" {
			t.Errorf("introspection: %v", in.Body)
		}

		// The public client's refresh token rotates on every use and the
		// old one stops working.
		rt1 := tok.str("refresh_token")
		ref := refresh(t, m, p.Public, rt1)
		wantTokens(t, ref, true)
		rt2 := ref.str("refresh_token")
		if rt2 == rt1 {
			t.Errorf("refresh token did not rotate")
		}
		if ref.str("id_token") == "" {
			t.Errorf("no id_token in the refresh response")
		}
		wantError(t, refresh(t, m, p.Public, rt1), http.StatusBadRequest, "invalid_grant")

		// Reusing a rotated refresh token revoked the grant: rt2 is dead too.
		wantError(t, refresh(t, m, p.Public, rt2), http.StatusBadRequest, "invalid_grant")
	})

	t.Run("code reuse revokes the grant", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Public.ID, false, nil)
		code := login(t, m, r, "alice")
		tok := exchange(t, m, p.Public, code, r.Verifier)
		wantTokens(t, tok, true)
		wantError(t, exchange(t, m, p.Public, code, r.Verifier), http.StatusBadRequest, "invalid_grant")
		// RFC 6749 §4.1.2: the tokens issued for the code are revoked.
		wantError(t, refresh(t, m, p.Public, tok.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
		if in := introspect(t, m, p.Public, tok.str("access_token")); in.Body["active"] != false {
			t.Errorf("access token after code reuse: %v", in.Body)
		}
	})

	t.Run("revocation", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Public.ID, false, nil)
		tok := exchange(t, m, p.Public, login(t, m, r, "bob"), r.Verifier)
		wantTokens(t, tok, true)
		at, rt := tok.str("access_token"), tok.str("refresh_token")

		revoke(t, m, p.Public, at, "access_token")
		if in := introspect(t, m, p.Public, at); in.Body["active"] != false {
			t.Errorf("revoked access token introspects as %v", in.Body)
		}
		if ui := userinfo(t, m, at); ui.Status != http.StatusUnauthorized || ui.str("error") != "invalid_token" {
			t.Errorf("userinfo with a revoked token: %d %v", ui.Status, ui.Body)
		}
		// Revoking an access token leaves the refresh token alive.
		ref := refresh(t, m, p.Public, rt)
		wantTokens(t, ref, true)

		revoke(t, m, p.Public, ref.str("refresh_token"), "refresh_token")
		wantError(t, refresh(t, m, p.Public, ref.str("refresh_token")), http.StatusBadRequest, "invalid_grant")
		// Revoking the refresh token revokes the grant and its access tokens.
		if in := introspect(t, m, p.Public, ref.str("access_token")); in.Body["active"] != false {
			t.Errorf("access token of a revoked grant introspects as %v", in.Body)
		}
		// An unknown token revokes fine (RFC 7009 §2.2).
		revoke(t, m, p.Public, "not-a-token", "")
	})

	for _, c := range []Client{p.Basic, p.Post} {
		t.Run("confidential "+c.AuthMethod, func(t *testing.T) {
			r := newAuthRequest(t, m, c.ID, false, nil)
			tok := exchange(t, m, c, login(t, m, r, "carol"), r.Verifier)
			wantTokens(t, tok, true)

			// Confidential clients keep their refresh token: the refresh
			// response carries the same one again.
			rt := tok.str("refresh_token")
			for range 2 {
				ref := refresh(t, m, c, rt)
				wantTokens(t, ref, true)
				if ref.str("refresh_token") != rt {
					t.Errorf("refresh token of a confidential client rotated")
				}
			}

			if in := introspect(t, m, c, rt); in.Body["active"] != true || in.str("client_id") != c.ID {
				t.Errorf("refresh token introspection: %v", in.Body)
			}
			revoke(t, m, c, rt, "")
			wantError(t, refresh(t, m, c, rt), http.StatusBadRequest, "invalid_grant")
		})
	}

	t.Run("confidential without PKCE", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Post.ID, true, nil)
		wantTokens(t, exchange(t, m, p.Post, login(t, m, r, "dave"), ""), true)
	})

	t.Run("public client without PKCE is refused", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Public.ID, true, nil)
		cb, err := Login(context.Background(), nil, r.URL, "erin")
		if err != nil {
			t.Fatalf("Login: %v", err)
		}
		q := cb.Query()
		if q.Get("error") != "invalid_request" || q.Get("state") != r.State || q.Get("iss") != m.Issuer {
			t.Errorf("callback %v, want error=invalid_request with state and iss", q)
		}
	})

	t.Run("wrong PKCE verifier", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Public.ID, false, nil)
		wantError(t, exchange(t, m, p.Public, login(t, m, r, "frank"), random(t)), http.StatusBadRequest, "invalid_grant")
	})

	t.Run("offline_access without prompt=consent gives no refresh token", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Public.ID, false, url.Values{"prompt": nil})
		tok := exchange(t, m, p.Public, login(t, m, r, "grace"), r.Verifier)
		wantTokens(t, tok, false)
		if got := tok.str("scope"); got != "openid email" {
			t.Errorf("scope = %q, want offline_access dropped", got)
		}
	})

	t.Run("deny", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Public.ID, false, nil)
		cb, err := Deny(context.Background(), nil, r.URL, "heidi")
		if err != nil {
			t.Fatalf("Deny: %v", err)
		}
		q := cb.Query()
		if q.Get("error") != "access_denied" || q.Get("state") != r.State || q.Get("iss") != m.Issuer || q.Has("code") {
			t.Errorf("callback %v, want error=access_denied with state and iss", q)
		}
	})

	t.Run("session reuse skips the forms", func(t *testing.T) {
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{Jar: jar}
		first := newAuthRequest(t, m, p.Public.ID, false, url.Values{"prompt": nil, "scope": {"openid"}})
		loginWith(t, client, m, first, "ivan")

		// The second request finds the session and the grant: the provider
		// redirects straight back, with no page to fill in; the user name
		// given here is not used.
		r := newAuthRequest(t, m, p.Public.ID, false, url.Values{"prompt": nil, "scope": {"openid"}})
		tok := exchange(t, m, p.Public, loginWith(t, client, m, r, "someone else"), r.Verifier)
		wantTokens(t, tok, false)
		if ui := userinfo(t, m, tok.str("access_token")); ui.str("sub") != "ivan" {
			t.Errorf("userinfo: %v", ui.Body)
		}
	})

	t.Run("client errors", func(t *testing.T) {
		form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}

		// Basic credentials that are not form-urlencoded are refused when
		// the secret has reserved characters: the provider URL-decodes
		// both halves, and a bare "%" is a malformed escape.
		basic := func(id, secret string) response {
			req, err := http.NewRequest(http.MethodPost, m.TokenEndpoint, strings.NewReader(form.Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(id, secret)
			return do(t, req)
		}
		wantError(t, basic(p.Basic.ID, p.Basic.Secret), http.StatusBadRequest, "invalid_request")
		// "+" decodes to a space, so an unencoded "+" is a wrong secret.
		r := basic(p.Basic.ID, strings.ReplaceAll(url.QueryEscape(p.Basic.Secret), "%2B", "+"))
		wantError(t, r, http.StatusUnauthorized, "invalid_client")
		if got := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
			t.Errorf("WWW-Authenticate = %q, want a Basic challenge", got)
		}

		// The registered method is not enforced between basic and post:
		// either authenticates a client registered for the other.
		swapped := Client{ID: p.Basic.ID, Secret: p.Basic.Secret, AuthMethod: "client_secret_post"}
		wantError(t, post(t, m.TokenEndpoint, swapped, form), http.StatusBadRequest, "invalid_grant")
		swapped = Client{ID: p.Post.ID, Secret: p.Post.Secret, AuthMethod: "client_secret_basic"}
		wantError(t, post(t, m.TokenEndpoint, swapped, form), http.StatusBadRequest, "invalid_grant")

		// A wrong secret in the body: 401 invalid_client.
		wrong := Client{ID: p.Post.ID, Secret: "wrong", AuthMethod: "client_secret_post"}
		wantError(t, post(t, m.TokenEndpoint, wrong, form), http.StatusUnauthorized, "invalid_client")

		// A confidential client without its secret.
		wrong = Client{ID: p.Post.ID, AuthMethod: "none"}
		wantError(t, post(t, m.TokenEndpoint, wrong, form), http.StatusUnauthorized, "invalid_client")

		// An unknown refresh token.
		wantError(t, refresh(t, m, p.Post, "not-a-token"), http.StatusBadRequest, "invalid_grant")
	})

	t.Run("introspection of another client's token", func(t *testing.T) {
		r := newAuthRequest(t, m, p.Basic.ID, false, nil)
		tok := exchange(t, m, p.Basic, login(t, m, r, "judy"), r.Verifier)
		wantTokens(t, tok, true)
		if in := introspect(t, m, p.Post, tok.str("access_token")); in.Body["active"] != false {
			t.Errorf("conf-post sees conf-basic's token: %v", in.Body)
		}
	})

	t.Run("client credentials", func(t *testing.T) {
		tok := post(t, m.TokenEndpoint, p.Basic, url.Values{"grant_type": {"client_credentials"}})
		wantTokens(t, tok, false)
	})

	t.Run("device flow", func(t *testing.T) {
		da := post(t, m.DeviceEndpoint, p.Public, url.Values{"scope": {"openid offline_access"}})
		if da.Status != http.StatusOK || da.str("device_code") == "" || da.str("user_code") == "" || da.str("verification_uri") == "" {
			t.Fatalf("device authorization: %d %v", da.Status, da.Body)
		}
		poll := url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {da.str("device_code")}}
		wantError(t, post(t, m.TokenEndpoint, p.Public, poll), http.StatusBadRequest, "authorization_pending")

		if err := ApproveDevice(context.Background(), nil, da.str("verification_uri"), da.str("user_code"), "mallory"); err != nil {
			t.Fatalf("ApproveDevice: %v", err)
		}
		tok := post(t, m.TokenEndpoint, p.Public, poll)
		wantTokens(t, tok, true)
		if ui := userinfo(t, m, tok.str("access_token")); ui.str("sub") != "mallory" {
			t.Errorf("userinfo after the device flow: %v", ui.Body)
		}
		// A wrong user code is reported.
		if err := ApproveDevice(context.Background(), nil, da.str("verification_uri"), "WXYZ-BCDF", "mallory"); err == nil {
			t.Errorf("ApproveDevice with a wrong code succeeded")
		}
	})
}

func TestFirstForm(t *testing.T) {
	tests := []struct {
		name       string
		page       string
		wantAction string
		want       url.Values
		wantOK     bool
	}{
		{
			name:       "login",
			page:       `<form autocomplete="off" action="/interaction/abc/login" method="post"><input type="hidden" name="prompt" value="login"/><input required type="text" name="login" placeholder="Enter any login" autofocus="on"><input required type="password" name="password"><button type="submit">Sign-in</button></form>`,
			wantAction: "/interaction/abc/login",
			want:       url.Values{"prompt": {"login"}, "login": {""}, "password": {""}},
			wantOK:     true,
		},
		{
			name:       "escaped values",
			page:       `<form method="post" action="/device?a=1&amp;b=2"><input type="hidden" name="xsrf" value="a&quot;b"/></form><form action="/other"></form>`,
			wantAction: "/device?a=1&b=2",
			want:       url.Values{"xsrf": {`a"b`}},
			wantOK:     true,
		},
		{name: "no form", page: `<p>done</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			action, values, ok := firstForm(tt.page)
			if ok != tt.wantOK || action != tt.wantAction || values.Encode() != tt.want.Encode() {
				t.Errorf("firstForm = %q, %v, %v; want %q, %v, %v", action, values, ok, tt.wantAction, tt.want, tt.wantOK)
			}
		})
	}
}

func TestMissingComponentMessage(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, _, missing := locate()
	if !strings.Contains(missing, "node") || !strings.Contains(missing, "npm ci --prefix testdata/oidc-provider") {
		t.Errorf("locate without node: %q", missing)
	}
}
