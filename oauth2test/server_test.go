package oauth2test_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/oauth2test"
)

func TestDiscovery(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	for _, path := range []string{oauth2test.PathOIDCConfig, oauth2test.PathOAuthConfig} {
		t.Run(path, func(t *testing.T) {
			r := get(t, s, path)
			if r.status != http.StatusOK {
				t.Fatalf("status %d", r.status)
			}
			m := r.json(t)
			want := map[string]string{
				"issuer":                 s.URL,
				"authorization_endpoint": s.URL + "/authorize",
				"token_endpoint":         s.URL + "/token",
				"jwks_uri":               s.URL + "/jwks",
				"revocation_endpoint":    s.URL + "/revoke",
				"introspection_endpoint": s.URL + "/introspect",
				"userinfo_endpoint":      s.URL + "/userinfo",
			}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%s = %v, want %s", k, m[k], v)
				}
			}
			if m["authorization_response_iss_parameter_supported"] != true {
				t.Error("authorization_response_iss_parameter_supported not true")
			}
			for k, v := range map[string]string{
				"code_challenge_methods_supported":      "S256",
				"id_token_signing_alg_values_supported": "RS256",
				"response_types_supported":              "code",
				"grant_types_supported":                 "refresh_token",
				"token_endpoint_auth_methods_supported": "client_secret_post",
				"subject_types_supported":               "public",
				"scopes_supported":                      "openid",
			} {
				list, _ := m[k].([]any)
				if !slices.Contains(list, any(v)) {
					t.Errorf("%s = %v, want it to contain %s", k, m[k], v)
				}
			}
		})
	}
	if s.Issuer() != s.URL || !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("Issuer() = %q, URL = %q", s.Issuer(), s.URL)
	}
}

func TestIDTokenVerifiesWithJWKS(t *testing.T) {
	s := newServer(t, oauth2test.Options{AutoApprove: true, TokenTTL: 30 * time.Minute})
	tok := codeTokens(t, s, "login_hint", "carol")
	raw, _ := tok["id_token"].(string)
	if raw == "" {
		t.Fatalf("no id_token in %v", tok)
	}
	set, err := jose.ParseKeySet([]byte(get(t, s, oauth2test.PathJWKS).body))
	if err != nil {
		t.Fatal(err)
	}
	keys := set.Keys()
	if len(keys) != 2 || keys[0].KID == "" || keys[0].Alg != jose.RS256 || keys[1].Alg != jose.ES256 {
		t.Fatalf("JWKS = %+v", keys)
	}
	payload, h, err := jose.Verify(raw, []string{jose.RS256}, set)
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	if h.KID != keys[0].KID || h.Typ != "JWT" {
		t.Errorf("header %+v, JWKS kid %q", h, keys[0].KID)
	}
	var c struct {
		Iss   string `json:"iss"`
		Sub   string `json:"sub"`
		Aud   string `json:"aud"`
		Exp   int64  `json:"exp"`
		Iat   int64  `json:"iat"`
		Nonce string `json:"nonce"`
		Email string `json:"email"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		t.Fatal(err)
	}
	if c.Iss != s.URL || c.Aud != publicID || c.Iat != epoch.Unix() {
		t.Errorf("claims iss=%q aud=%q iat=%d", c.Iss, c.Aud, c.Iat)
	}
	if c.Sub != "carol" || c.Email != "carol@example.com" || c.Nonce != "n0nce" {
		t.Errorf("claims sub=%q email=%q nonce=%q", c.Sub, c.Email, c.Nonce)
	}
	if got := time.Duration(c.Exp-c.Iat) * time.Second; got != 30*time.Minute {
		t.Errorf("exp - iat = %v", got)
	}
	if tok["expires_in"] != float64(1800) || tok["token_type"] != "Bearer" {
		t.Errorf("token response %v", tok)
	}

	// No openid scope, no ID token.
	tok = codeTokens(t, s, "scope", "email")
	if _, ok := tok["id_token"]; ok {
		t.Errorf("id_token without openid scope: %v", tok)
	}
}

func TestAuthorizeRedirect(t *testing.T) {
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	cb := authorize(t, s, authQuery("redirect_uri", "http://127.0.0.1:999/any/path?x=1"))
	if cb.Get("code") == "" || cb.Get("state") != "st4te" || cb.Get("iss") != s.URL || cb.Get("x") != "1" {
		t.Errorf("callback query %v", cb)
	}
	r := get(t, s, oauth2test.PathAuthorize+"?"+authQuery("redirect_uri", "http://[::1]:1/cb").Encode())
	if loc := r.header.Get("Location"); !strings.HasPrefix(loc, "http://[::1]:1/cb?") {
		t.Errorf("Location %q", loc)
	}
}

func TestAuthorizeErrors(t *testing.T) {
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	for _, tc := range []struct {
		name  string
		query url.Values
		error string // "" means an error page, not a redirect
	}{
		{"unknown client", authQuery("client_id", "nobody"), ""},
		{"missing client", authQuery("client_id", ""), ""},
		{"unregistered redirect", authQuery("redirect_uri", "https://evil.example/cb"), ""},
		{"https loopback redirect", authQuery("redirect_uri", "https://127.0.0.1/cb"), ""},
		{"missing redirect with none registered", authQuery("redirect_uri", ""), ""},
		{"loopback port other path", authQuery("client_id", basicID, "redirect_uri", "http://127.0.0.1:5/other"), ""},
		{"loopback other host", authQuery("client_id", basicID, "redirect_uri", "http://localhost:5/callback"), ""},
		{"non-loopback needs exact", authQuery("client_id", postID, "redirect_uri", "https://app.example:8443/cb"), ""},
		{"missing response_type", authQuery("response_type", ""), "invalid_request"},
		{"token response_type", authQuery("response_type", "token"), "unsupported_response_type"},
		{"bad challenge method", authQuery("code_challenge_method", "S512"), "invalid_request"},
		{"method without challenge", authQuery("code_challenge", ""), "invalid_request"},
		{"short challenge", authQuery("code_challenge", "abc"), "invalid_request"},
		{"public client without PKCE", authQuery("code_challenge", "", "code_challenge_method", ""), "invalid_request"},
		{"prompt none and consent", authQuery("prompt", "none consent"), "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, oauth2test.PathAuthorize+"?"+tc.query.Encode())
			if tc.error == "" {
				if r.status != http.StatusBadRequest || r.header.Get("Location") != "" ||
					!strings.Contains(r.body, "Authorization error") {
					t.Fatalf("want error page; got %d, Location %q, body %s", r.status, r.header.Get("Location"), r.body)
				}
				return
			}
			if r.status != http.StatusFound {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			loc, _ := url.Parse(r.header.Get("Location"))
			q := loc.Query()
			if q.Get("error") != tc.error || q.Get("state") != "st4te" || q.Get("iss") != s.URL || q.Has("code") {
				t.Errorf("callback %v, want error %s", q, tc.error)
			}
		})
	}
	t.Run("repeated parameter", func(t *testing.T) {
		r := get(t, s, oauth2test.PathAuthorize+"?"+authQuery().Encode()+"&scope=x")
		loc, _ := url.Parse(r.header.Get("Location"))
		if loc.Query().Get("error") != "invalid_request" {
			t.Errorf("status %d, Location %v", r.status, loc)
		}
	})
	t.Run("repeated client_id", func(t *testing.T) {
		r := get(t, s, oauth2test.PathAuthorize+"?"+authQuery().Encode()+"&client_id=x")
		if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Errorf("status %d, Location %v", r.status, r.header.Get("Location"))
		}
	})
}

func TestConsentPage(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	page := func(t *testing.T, q url.Values) string {
		t.Helper()
		r := get(t, s, oauth2test.PathAuthorize+"?"+q.Encode())
		if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Fatalf("consent page: status %d, %s", r.status, r.header.Get("Content-Type"))
		}
		for _, want := range []string{`method="post"`, `value="allow"`, `value="deny"`, `>Allow<`, `>Deny<`,
			`name="user" value="alice"`, calendarRO, publicID, `name="request"`} {
			if !strings.Contains(r.body, want) {
				t.Errorf("consent page lacks %q:\n%s", want, r.body)
			}
		}
		if r.header.Get("X-Frame-Options") != "DENY" {
			t.Error("consent page may be framed")
		}
		i := strings.Index(r.body, `name="request" value="`)
		rest := r.body[i+len(`name="request" value="`):]
		return rest[:strings.IndexByte(rest, '"')]
	}
	consent := func(t *testing.T, form url.Values, header ...string) response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+oauth2test.PathAuthorize, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return do(t, noRedirect(s), req)
	}

	t.Run("allow", func(t *testing.T) {
		id := page(t, authQuery())
		r := consent(t, url.Values{"request": {id}, "action": {"allow"}, "user": {"bob"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("status %d, body %s", r.status, r.body)
		}
		loc, _ := url.Parse(r.header.Get("Location"))
		q := loc.Query()
		if q.Get("code") == "" || q.Get("state") != "st4te" || q.Get("iss") != s.URL {
			t.Fatalf("callback %v", q)
		}
		tok := postForm(t, s, oauth2test.PathToken, url.Values{
			"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "redirect_uri": {redirect},
			"client_id": {publicID}, "code_verifier": {verifier},
		}, "", "").json(t)
		info := get(t, s, oauth2test.PathTokenInfo+"?access_token="+tok["access_token"].(string)).json(t)
		if info["email"] != "bob@example.com" {
			t.Errorf("token info %v", info)
		}
		// The pending request is single-use.
		if r := consent(t, url.Values{"request": {id}, "action": {"allow"}}); r.status != http.StatusBadRequest {
			t.Errorf("reused request: status %d", r.status)
		}
	})
	t.Run("deny", func(t *testing.T) {
		id := page(t, authQuery())
		r := consent(t, url.Values{"request": {id}, "action": {"deny"}})
		loc, _ := url.Parse(r.header.Get("Location"))
		q := loc.Query()
		if r.status != http.StatusSeeOther || q.Get("error") != "access_denied" || q.Get("state") != "st4te" || q.Has("code") {
			t.Errorf("status %d, callback %v", r.status, q)
		}
	})
	t.Run("login_hint prefills user", func(t *testing.T) {
		r := get(t, s, oauth2test.PathAuthorize+"?"+authQuery("login_hint", "dave").Encode())
		if !strings.Contains(r.body, `name="user" value="dave"`) {
			t.Errorf("page %s", r.body)
		}
	})
	t.Run("unknown request", func(t *testing.T) {
		if r := consent(t, url.Values{"request": {"forged"}, "action": {"allow"}}); r.status != http.StatusBadRequest {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("expired request", func(t *testing.T) {
		id := page(t, authQuery())
		s.Advance(oauth2test.DefaultCodeTTL)
		defer s.Advance(-oauth2test.DefaultCodeTTL)
		if r := consent(t, url.Values{"request": {id}, "action": {"allow"}}); r.status != http.StatusBadRequest {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("cross-site post", func(t *testing.T) {
		id := page(t, authQuery())
		r := consent(t, url.Values{"request": {id}, "action": {"allow"}}, "Sec-Fetch-Site", "cross-site")
		if r.status != http.StatusForbidden {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("prompt none", func(t *testing.T) {
		q := authorize(t, s, authQuery("prompt", "none"))
		if q.Get("error") != "consent_required" {
			t.Errorf("callback %v", q)
		}
	})
}

func TestAuthorizationCodeGrant(t *testing.T) {
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	code := func(t *testing.T, extra ...string) string {
		return authorize(t, s, authQuery(extra...)).Get("code")
	}
	for _, tc := range []struct {
		name       string
		auth       []string // authorization request changes
		form       url.Values
		user, pass string
		status     int
		error      string
	}{
		{name: "public S256", status: 200},
		{name: "public plain", auth: []string{"code_challenge", verifier, "code_challenge_method", "plain"}, status: 200},
		{name: "challenge defaults to plain", auth: []string{"code_challenge", verifier, "code_challenge_method", ""}, status: 200},
		{name: "wrong verifier", form: url.Values{"code_verifier": {verifier + "x"}}, status: 400, error: "invalid_grant"},
		{name: "missing verifier", form: url.Values{"code_verifier": {""}}, status: 400, error: "invalid_grant"},
		{name: "short verifier", form: url.Values{"code_verifier": {"short"}}, status: 400, error: "invalid_grant"},
		{name: "plain challenge with S256 verifier", auth: []string{"code_challenge", challenge(verifier), "code_challenge_method", "plain"}, status: 400, error: "invalid_grant"},
		{name: "wrong redirect_uri", form: url.Values{"redirect_uri": {"http://127.0.0.1:4243/callback"}}, status: 400, error: "invalid_grant"},
		{name: "missing redirect_uri", form: url.Values{"redirect_uri": {""}}, status: 400, error: "invalid_grant"},
		{name: "unknown code", form: url.Values{"code": {"nope"}}, status: 400, error: "invalid_grant"},
		{name: "missing code", form: url.Values{"code": {""}}, status: 400, error: "invalid_request"},
		{name: "other client's code", form: url.Values{"client_id": {basicID}}, status: 401, error: "invalid_client"},
		{name: "unknown client", form: url.Values{"client_id": {"nobody"}}, status: 401, error: "invalid_client"},
		{name: "no client", form: url.Values{"client_id": {""}}, status: 401, error: "invalid_client"},
		{name: "missing grant_type", form: url.Values{"grant_type": {""}}, status: 400, error: "invalid_request"},
		{name: "unsupported grant_type", form: url.Values{"grant_type": {"password"}}, status: 400, error: "unsupported_grant_type"},
		{name: "basic client", auth: []string{"client_id", basicID, "redirect_uri", "http://127.0.0.1:7/callback"},
			form: url.Values{"client_id": {""}, "redirect_uri": {"http://127.0.0.1:7/callback"}}, user: basicID, pass: secret, status: 200},
		{name: "basic client wrong secret", auth: []string{"client_id", basicID, "redirect_uri", "http://127.0.0.1:7/callback"},
			form: url.Values{"client_id": {""}, "redirect_uri": {"http://127.0.0.1:7/callback"}}, user: basicID, pass: "wrong", status: 401, error: "invalid_client"},
		{name: "basic client using post", auth: []string{"client_id", basicID, "redirect_uri", "http://127.0.0.1:7/callback"},
			form: url.Values{"client_id": {basicID}, "client_secret": {secret}, "redirect_uri": {"http://127.0.0.1:7/callback"}}, status: 401, error: "invalid_client"},
		{name: "basic client without secret", auth: []string{"client_id", basicID, "redirect_uri", "http://127.0.0.1:7/callback"},
			form: url.Values{"client_id": {basicID}, "redirect_uri": {"http://127.0.0.1:7/callback"}}, status: 401, error: "invalid_client"},
		{name: "post client", auth: []string{"client_id", postID, "redirect_uri", "http://localhost:9/cb"},
			form: url.Values{"client_id": {postID}, "client_secret": {secret}, "redirect_uri": {"http://localhost:9/cb"}}, status: 200},
		{name: "post client using basic", auth: []string{"client_id", postID, "redirect_uri", "http://localhost:9/cb"},
			form: url.Values{"client_id": {""}, "redirect_uri": {"http://localhost:9/cb"}}, user: postID, pass: secret, status: 401, error: "invalid_client"},
		{name: "both basic and post", auth: []string{"client_id", postID, "redirect_uri", "http://localhost:9/cb"},
			form: url.Values{"client_id": {""}, "client_secret": {secret}, "redirect_uri": {"http://localhost:9/cb"}}, user: postID, pass: secret, status: 400, error: "invalid_request"},
		{name: "either client with basic", auth: []string{"client_id", eitherID, "redirect_uri", "https://app.example/cb"},
			form: url.Values{"client_id": {""}, "redirect_uri": {"https://app.example/cb"}}, user: eitherID, pass: secret, status: 200},
		{name: "either client with post", auth: []string{"client_id", eitherID, "redirect_uri", "https://app.example/cb"},
			form: url.Values{"client_id": {eitherID}, "client_secret": {secret}, "redirect_uri": {"https://app.example/cb"}}, status: 200},
		{name: "confidential client without PKCE", auth: []string{"client_id", eitherID, "redirect_uri", "https://app.example/cb", "code_challenge", "", "code_challenge_method", ""},
			form: url.Values{"client_id": {eitherID}, "client_secret": {secret}, "redirect_uri": {"https://app.example/cb"}, "code_verifier": {""}}, status: 200},
		{name: "verifier without challenge", auth: []string{"client_id", eitherID, "redirect_uri", "https://app.example/cb", "code_challenge", "", "code_challenge_method", ""},
			form: url.Values{"client_id": {eitherID}, "client_secret": {secret}, "redirect_uri": {"https://app.example/cb"}}, status: 400, error: "invalid_grant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{
				"grant_type":    {"authorization_code"},
				"code":          {code(t, tc.auth...)},
				"redirect_uri":  {redirect},
				"client_id":     {publicID},
				"code_verifier": {verifier},
			}
			for k, v := range tc.form {
				if v[0] == "" {
					form.Del(k)
				} else {
					form[k] = v
				}
			}
			r := postForm(t, s, oauth2test.PathToken, form, tc.user, tc.pass)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d; body %s", r.status, tc.status, r.body)
			}
			m := r.json(t)
			if tc.error != "" {
				if m["error"] != tc.error {
					t.Errorf("error %v, want %s", m["error"], tc.error)
				}
				if r.status == 401 && r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
				return
			}
			if m["access_token"] == "" || m["refresh_token"] == nil || m["token_type"] != "Bearer" || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("response %v, headers %v", m, r.header)
			}
		})
	}
}

func TestCodeSingleUseAndExpiry(t *testing.T) {
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	form := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
			"client_id": {publicID}, "code_verifier": {verifier}}
	}
	c := authorize(t, s, authQuery()).Get("code")
	first := postForm(t, s, oauth2test.PathToken, form(c), "", "").json(t)
	r := postForm(t, s, oauth2test.PathToken, form(c), "", "")
	if r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Fatalf("reused code: %d %s", r.status, r.body)
	}
	// Reuse revokes what the code gave.
	if r := get(t, s, oauth2test.PathCalendarList, bearer(first["access_token"].(string))...); r.status != 401 {
		t.Errorf("access token after code reuse: status %d", r.status)
	}
	if r := postForm(t, s, oauth2test.PathToken, refreshForm(first["refresh_token"].(string)), "", ""); r.status != 400 {
		t.Errorf("refresh token after code reuse: status %d", r.status)
	}

	c = authorize(t, s, authQuery()).Get("code")
	s.Advance(oauth2test.DefaultCodeTTL)
	r = postForm(t, s, oauth2test.PathToken, form(c), "", "")
	if r.status != 400 || r.json(t)["error"] != "invalid_grant" {
		t.Errorf("expired code: %d %s", r.status, r.body)
	}
}

func TestRefreshTokenGrant(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		t.Run(map[bool]string{false: "no rotation", true: "rotation"}[rotate], func(t *testing.T) {
			s := newServer(t, oauth2test.Options{AutoApprove: true, RotateRefreshTokens: rotate})
			tok := codeTokens(t, s)
			rt := tok["refresh_token"].(string)
			r := postForm(t, s, oauth2test.PathToken, refreshForm(rt), "", "")
			if r.status != 200 {
				t.Fatalf("refresh: %d %s", r.status, r.body)
			}
			m := r.json(t)
			if m["access_token"] == tok["access_token"] || m["id_token"] == nil || m["scope"] != tok["scope"] {
				t.Errorf("refresh response %v", m)
			}
			newRT, _ := m["refresh_token"].(string)
			again := postForm(t, s, oauth2test.PathToken, refreshForm(rt), "", "")
			if rotate {
				if newRT == "" || newRT == rt {
					t.Fatalf("no rotated refresh token: %v", m)
				}
				if again.status != 400 || again.json(t)["error"] != "invalid_grant" {
					t.Errorf("old refresh token after rotation: %d %s", again.status, again.body)
				}
				if r := postForm(t, s, oauth2test.PathToken, refreshForm(newRT), "", ""); r.status != 200 {
					t.Errorf("new refresh token: %d %s", r.status, r.body)
				}
			} else {
				if newRT != "" {
					t.Errorf("refresh token returned without rotation: %v", m)
				}
				if again.status != 200 {
					t.Errorf("second refresh: %d %s", again.status, again.body)
				}
			}
		})
	}
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	rt := codeTokens(t, s)["refresh_token"].(string)
	for _, tc := range []struct {
		name   string
		form   url.Values
		user   string
		status int
		error  string
		scope  string
	}{
		{"narrower scope", url.Values{"scope": {"email"}}, "", 200, "", "email"},
		{"wider scope", url.Values{"scope": {"email admin"}}, "", 400, "invalid_scope", ""},
		{"missing token", url.Values{"refresh_token": {""}}, "", 400, "invalid_request", ""},
		{"unknown token", url.Values{"refresh_token": {"rt-nope"}}, "", 400, "invalid_grant", ""},
		{"other client", url.Values{"client_id": {""}}, eitherID, 400, "invalid_grant", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := refreshForm(rt)
			for k, v := range tc.form {
				if v[0] == "" {
					form.Del(k)
				} else {
					form[k] = v
				}
			}
			pass := ""
			if tc.user != "" {
				pass = secret
			}
			r := postForm(t, s, oauth2test.PathToken, form, tc.user, pass)
			if r.status != tc.status {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			m := r.json(t)
			if m["error"] != nil && m["error"] != tc.error || tc.scope != "" && m["scope"] != tc.scope {
				t.Errorf("response %v", m)
			}
		})
	}
}

func TestClientCredentialsGrant(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	r := postForm(t, s, oauth2test.PathToken, url.Values{"grant_type": {"client_credentials"}, "scope": {"a b"}}, basicID, secret)
	m := r.json(t)
	if r.status != 200 || m["scope"] != "a b" || m["refresh_token"] != nil || m["id_token"] != nil {
		t.Fatalf("%d %v", r.status, m)
	}
	info := get(t, s, oauth2test.PathTokenInfo+"?access_token="+m["access_token"].(string)).json(t)
	if info["sub"] != basicID || info["email"] != nil {
		t.Errorf("token info %v", info)
	}
	r = postForm(t, s, oauth2test.PathToken, url.Values{"grant_type": {"client_credentials"}, "client_id": {publicID}}, "", "")
	if r.status != 400 || r.json(t)["error"] != "unauthorized_client" {
		t.Errorf("public client: %d %s", r.status, r.body)
	}
}

func TestRevocation(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	alive := func(at string) bool { return get(t, s, oauth2test.PathCalendarList, bearer(at)...).status == 200 }
	canRefresh := func(rt string) bool {
		return postForm(t, s, oauth2test.PathToken, refreshForm(rt), "", "").status == 200
	}

	t.Run("access token only", func(t *testing.T) {
		at, rt := s.MintToken(publicID, "alice", []string{"openid"}, 0)
		r := postForm(t, s, oauth2test.PathRevoke, url.Values{"token": {at}, "client_id": {publicID}}, "", "")
		if r.status != 200 || alive(at) || !canRefresh(rt) {
			t.Errorf("status %d, access alive %v, refresh works %v", r.status, alive(at), canRefresh(rt))
		}
	})
	t.Run("refresh token revokes its access tokens", func(t *testing.T) {
		at, rt := s.MintToken(publicID, "alice", nil, 0)
		r := postForm(t, s, oauth2test.PathRevoke, url.Values{"token": {rt}}, "", "")
		if r.status != 200 || alive(at) || canRefresh(rt) {
			t.Errorf("status %d, access alive %v, refresh works %v", r.status, alive(at), canRefresh(rt))
		}
	})
	t.Run("google style query", func(t *testing.T) {
		at, _ := s.MintToken(publicID, "alice", nil, 0)
		r := get(t, s, oauth2test.PathRevoke+"?token="+url.QueryEscape(at))
		if r.status != 200 || alive(at) {
			t.Errorf("status %d, alive %v", r.status, alive(at))
		}
		at, _ = s.MintToken(publicID, "alice", nil, 0)
		r = postForm(t, s, oauth2test.PathRevoke+"?token="+url.QueryEscape(at), nil, "", "")
		if r.status != 200 || alive(at) {
			t.Errorf("POST ?token=: status %d, alive %v", r.status, alive(at))
		}
	})
	t.Run("confidential client", func(t *testing.T) {
		at, _ := s.MintToken(basicID, "alice", nil, 0)
		if r := postForm(t, s, oauth2test.PathRevoke, url.Values{"token": {at}}, basicID, "wrong"); r.status != 401 {
			t.Errorf("wrong secret: status %d", r.status)
		}
		if r := postForm(t, s, oauth2test.PathRevoke, url.Values{"token": {at}}, eitherID, secret); r.status != 400 || !alive(at) {
			t.Errorf("other client: status %d", r.status)
		}
		if r := postForm(t, s, oauth2test.PathRevoke, url.Values{"token": {at}}, basicID, secret); r.status != 200 || alive(at) {
			t.Errorf("owner: status %d", r.status)
		}
	})
	t.Run("unknown token", func(t *testing.T) {
		if r := postForm(t, s, oauth2test.PathRevoke, url.Values{"token": {"nope"}}, "", ""); r.status != 200 {
			t.Errorf("status %d", r.status)
		}
	})
	t.Run("missing token", func(t *testing.T) {
		if r := postForm(t, s, oauth2test.PathRevoke, url.Values{}, "", ""); r.status != 400 {
			t.Errorf("status %d", r.status)
		}
	})
}

func TestTokenInfo(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	at, _ := s.MintToken(publicID, "alice", []string{"email", calendarRO}, 10*time.Minute)
	for _, tc := range []struct {
		name   string
		req    func() response
		status int
	}{
		{"GET", func() response { return get(t, s, oauth2test.PathTokenInfo+"?access_token="+at) }, 200},
		{"POST", func() response {
			return postForm(t, s, oauth2test.PathTokenInfo, url.Values{"access_token": {at}}, "", "")
		}, 200},
		{"unknown", func() response { return get(t, s, oauth2test.PathTokenInfo+"?access_token=nope") }, 400},
		{"missing", func() response { return get(t, s, oauth2test.PathTokenInfo) }, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.req()
			m := r.json(t)
			if r.status != tc.status {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			if tc.status != 200 {
				if m["error"] != "invalid_token" {
					t.Errorf("body %v", m)
				}
				return
			}
			want := map[string]any{"scope": "email " + calendarRO, "expires_in": "600", "aud": publicID,
				"sub": "alice", "email": "alice@example.com"}
			for k, v := range want {
				if m[k] != v {
					t.Errorf("%s = %v, want %v", k, m[k], v)
				}
			}
		})
	}
	s.Advance(10 * time.Minute)
	if r := get(t, s, oauth2test.PathTokenInfo+"?access_token="+at); r.status != 400 {
		t.Errorf("expired token: status %d", r.status)
	}
}

func TestIntrospection(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	at, rt := s.MintToken(publicID, "alice", []string{"openid", "email"}, 0)
	for _, tc := range []struct {
		name       string
		token      string
		user, pass string
		status     int
		active     bool
		tokenType  string
	}{
		{"access token", at, basicID, secret, 200, true, "Bearer"},
		{"refresh token", rt, basicID, secret, 200, true, "refresh_token"},
		{"unknown token", "nope", basicID, secret, 200, false, ""},
		{"no client auth", at, "", "", 401, false, ""},
		{"wrong secret", at, basicID, "x", 401, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := postForm(t, s, oauth2test.PathIntrospect, url.Values{"token": {tc.token}}, tc.user, tc.pass)
			if r.status != tc.status {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			if tc.status != 200 {
				return
			}
			m := r.json(t)
			if m["active"] != tc.active {
				t.Fatalf("active = %v, body %s", m["active"], r.body)
			}
			if !tc.active {
				if len(m) != 1 {
					t.Errorf("inactive answer says more: %v", m)
				}
				return
			}
			if m["token_type"] != tc.tokenType || m["client_id"] != publicID || m["sub"] != "alice" ||
				m["scope"] != "openid email" || m["iss"] != s.URL {
				t.Errorf("answer %v", m)
			}
		})
	}
}

func TestBearerEndpoints(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	at, _ := s.MintToken(publicID, "bob", []string{"openid", calendarRO}, 0)
	noOpenID, _ := s.MintToken(publicID, "bob", []string{calendarRO}, 0)
	expired, _ := s.MintToken(publicID, "bob", []string{"openid"}, time.Second)
	s.Advance(time.Second)
	for _, tc := range []struct {
		name   string
		path   string
		header []string
		status int
		wwwErr string // error in WWW-Authenticate, "" for none
		want   string // substring of the body
	}{
		{"calendar", oauth2test.PathCalendarList, bearer(at), 200, "",
			`{"items":[{"accessRole":"owner","id":"bob@example.com","kind":"calendar#calendarListEntry","primary":true,"summary":"bob"}],"kind":"calendar#calendarList"}`},
		{"calendar lowercase scheme", oauth2test.PathCalendarList, []string{"Authorization", "bearer " + at}, 200, "", "bob@example.com"},
		{"calendar no token", oauth2test.PathCalendarList, nil, 401, "", ""},
		{"calendar bad token", oauth2test.PathCalendarList, bearer("nope"), 401, "invalid_token", ""},
		{"calendar expired token", oauth2test.PathCalendarList, bearer(expired), 401, "invalid_token", ""},
		{"calendar basic auth", oauth2test.PathCalendarList, []string{"Authorization", "Basic eDp5"}, 401, "", ""},
		{"userinfo", oauth2test.PathUserInfo, bearer(at), 200, "", `"email":"bob@example.com"`},
		{"userinfo no openid", oauth2test.PathUserInfo, bearer(noOpenID), 403, "insufficient_scope", ""},
		{"userinfo bad token", oauth2test.PathUserInfo, bearer("nope"), 401, "invalid_token", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, s, tc.path, tc.header...)
			if r.status != tc.status || !strings.Contains(r.body, tc.want) {
				t.Fatalf("status %d, body %s", r.status, r.body)
			}
			www := r.header.Get("WWW-Authenticate")
			if tc.status != 200 {
				if !strings.HasPrefix(www, "Bearer ") {
					t.Errorf("WWW-Authenticate %q", www)
				}
				if hasErr := strings.Contains(www, "error="); hasErr != (tc.wwwErr != "") ||
					tc.wwwErr != "" && !strings.Contains(www, `error="`+tc.wwwErr+`"`) {
					t.Errorf("WWW-Authenticate %q, want error %q", www, tc.wwwErr)
				}
			}
		})
	}
}

func TestExpireAll(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	at, rt := s.MintToken(publicID, "alice", nil, 0)
	s.ExpireAll()
	if r := get(t, s, oauth2test.PathCalendarList, bearer(at)...); r.status != 401 {
		t.Errorf("status %d after ExpireAll", r.status)
	}
	r := postForm(t, s, oauth2test.PathToken, refreshForm(rt), "", "")
	if r.status != 200 {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	if r := get(t, s, oauth2test.PathCalendarList, bearer(r.json(t)["access_token"].(string))...); r.status != 200 {
		t.Errorf("refreshed token: status %d", r.status)
	}
}

func TestTokenTTLDefault(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	at, _ := s.MintToken(publicID, "alice", nil, 0)
	s.Advance(oauth2test.DefaultTokenTTL - time.Second)
	if r := get(t, s, oauth2test.PathCalendarList, bearer(at)...); r.status != 200 {
		t.Errorf("before expiry: status %d", r.status)
	}
	s.Advance(time.Second)
	if r := get(t, s, oauth2test.PathCalendarList, bearer(at)...); r.status != 401 {
		t.Errorf("at expiry: status %d", r.status)
	}
}

func TestFaults(t *testing.T) {
	refresh := func(t *testing.T, s *oauth2test.Server, rt string) response {
		return postForm(t, s, oauth2test.PathToken, refreshForm(rt), "", "")
	}
	for _, tc := range []struct {
		name    string
		fault   oauth2test.Fault
		status  int
		check   func(t *testing.T, r response)
		applies int // how many requests the fault answers; -1 for all
	}{
		{name: "latency only", fault: oauth2test.Fault{Latency: time.Millisecond, Count: 1}, status: 200, applies: 1},
		{name: "status", fault: oauth2test.Fault{Status: 503, Count: 2}, status: 503, applies: 2,
			check: func(t *testing.T, r response) {
				if r.body != "Service Unavailable\n" {
					t.Errorf("body %q", r.body)
				}
			}},
		{name: "invalid_grant", fault: oauth2test.Fault{Error: "invalid_grant", GrantType: "refresh_token", Count: 1}, status: 400, applies: 1,
			check: func(t *testing.T, r response) {
				if r.json(t)["error"] != "invalid_grant" {
					t.Errorf("body %s", r.body)
				}
			}},
		{name: "malformed", fault: oauth2test.Fault{Malformed: true}, status: 200, applies: -1,
			check: func(t *testing.T, r response) {
				if json.Valid([]byte(r.body)) {
					t.Errorf("valid JSON: %s", r.body)
				}
			}},
		{name: "oversized", fault: oauth2test.Fault{Oversized: true, Count: 1}, status: 200, applies: 1,
			check: func(t *testing.T, r response) {
				if len(r.body) <= 1<<20 || len(r.body) != oauth2test.OversizedBodySize || !json.Valid([]byte(r.body)) {
					t.Errorf("body length %d", len(r.body))
				}
			}},
		{name: "raw body", fault: oauth2test.Fault{Status: 502, Body: "<html>bad gateway</html>", Count: 1}, status: 502, applies: 1,
			check: func(t *testing.T, r response) {
				if r.body != "<html>bad gateway</html>" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
					t.Errorf("body %q, type %q", r.body, r.header.Get("Content-Type"))
				}
			}},
		{name: "other grant type unaffected", fault: oauth2test.Fault{Error: "invalid_grant", GrantType: "client_credentials"}, status: 200, applies: 0},
		{name: "other path unaffected", fault: oauth2test.Fault{Path: oauth2test.PathUserInfo, Status: 500}, status: 200, applies: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServer(t, oauth2test.Options{})
			_, rt := s.MintToken(publicID, "alice", nil, 0)
			s.InjectFault(tc.fault)
			n := tc.applies
			if n < 0 {
				n = 3
			}
			for i := range n {
				r := refresh(t, s, rt)
				if r.status != tc.status {
					t.Fatalf("request %d: status %d, body %.200s", i, r.status, r.body)
				}
				if tc.check != nil {
					tc.check(t, r)
				}
			}
			if tc.applies < 0 {
				s.ClearFaults()
			}
			if r := refresh(t, s, rt); r.status != 200 {
				t.Errorf("after the fault: status %d, body %.200s", r.status, r.body)
			}
			if got, want := s.TokenRequests("refresh_token"), n+1; got != want {
				t.Errorf("TokenRequests = %d, want %d", got, want)
			}
		})
	}
	t.Run("any endpoint", func(t *testing.T) {
		s := newServer(t, oauth2test.Options{})
		s.InjectFault(oauth2test.Fault{Path: oauth2test.PathOIDCConfig, Status: 500, Count: 1})
		if r := get(t, s, oauth2test.PathOIDCConfig); r.status != 500 {
			t.Errorf("status %d", r.status)
		}
		if r := get(t, s, oauth2test.PathOIDCConfig); r.status != 200 {
			t.Errorf("status %d", r.status)
		}
	})
}

func TestMetrics(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	for _, gt := range []string{"client_credentials", "client_credentials", "weird\"grant\\type\nx", ""} {
		form := url.Values{"scope": {"x"}}
		if gt != "" {
			form.Set("grant_type", gt)
		}
		postForm(t, s, oauth2test.PathToken, form, basicID, secret)
	}
	if n := s.TokenRequests("client_credentials"); n != 2 {
		t.Errorf("TokenRequests(client_credentials) = %d", n)
	}
	if n := s.Requests(oauth2test.PathToken); n != 4 {
		t.Errorf("Requests(token) = %d", n)
	}
	r := get(t, s, oauth2test.PathMetrics)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("status %d, type %q", r.status, r.header.Get("Content-Type"))
	}
	for _, want := range []string{
		"# HELP oauth2test_token_requests_total ",
		"# TYPE oauth2test_token_requests_total counter\n",
		`oauth2test_token_requests_total{grant_type=""} 1` + "\n",
		`oauth2test_token_requests_total{grant_type="client_credentials"} 2` + "\n",
		`oauth2test_token_requests_total{grant_type="weird\"grant\\type\nx"} 1` + "\n",
		`oauth2test_http_requests_total{path="/token",code="200"} 2` + "\n",
		`oauth2test_http_requests_total{path="/token",code="400"} 2` + "\n",
		`oauth2test_tokens_issued_total{kind="access_token"} 2` + "\n",
		"# TYPE oauth2test_active_access_tokens gauge\noauth2test_active_access_tokens 2\n",
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("metrics lack %q:\n%s", want, r.body)
		}
	}
	// Every line is a comment or "name{labels} value" with no raw newline in a label.
	for _, line := range strings.Split(strings.TrimSuffix(r.body, "\n"), "\n") {
		if !strings.HasPrefix(line, "# ") && !strings.HasPrefix(line, "oauth2test_") {
			t.Errorf("bad line %q", line)
		}
	}
}

func TestClientSecretsJSON(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	b, err := s.ClientSecretsJSON(publicID)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	in := doc["installed"]
	want := map[string]any{
		"client_id": publicID, "client_secret": "", "auth_uri": s.URL + "/authorize", "token_uri": s.URL + "/token",
		"revoke_uri": s.URL + "/revoke", "token_info_uri": s.URL + "/tokeninfo",
	}
	for k, v := range want {
		if in[k] != v {
			t.Errorf("%s = %v, want %v", k, in[k], v)
		}
	}
	if ru, _ := in["redirect_uris"].([]any); len(ru) == 0 {
		t.Errorf("redirect_uris %v", in["redirect_uris"])
	}
	if _, err := s.ClientSecretsJSON("nobody"); err == nil {
		t.Error("no error for an unknown client")
	}
}

func TestRegisterClientErrors(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	for _, c := range []oauth2test.Client{
		{},
		{ID: "x", AuthMethod: "private_key_jwt"},
		{ID: "x", AuthMethod: oauth2test.AuthMethodBasic},
		{ID: "x", Secret: "s", AuthMethod: oauth2test.AuthMethodNone},
		{ID: "x", RedirectURIs: []string{"relative/path"}},
	} {
		if err := s.RegisterClient(c); err == nil || !strings.HasPrefix(err.Error(), "oauth2test: ") {
			t.Errorf("RegisterClient(%+v) = %v", c, err)
		}
	}
}

func TestNewServerRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:0"} {
		t.Run(addr, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			oauth2test.NewServer(&oauth2test.Options{Addr: addr}).Close()
		})
	}
	if err := oauth2test.CheckLoopbackAddr("[::1]:80"); err != nil {
		t.Error(err)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := newServer(t, oauth2test.Options{AutoApprove: true, RotateRefreshTokens: true})
	t.Run("group", func(t *testing.T) {
		for i := range 16 {
			t.Run(fmt.Sprint(i), func(t *testing.T) {
				t.Parallel()
				rt := codeTokens(t, s)["refresh_token"].(string)
				for range 5 {
					r := postForm(t, s, oauth2test.PathToken, refreshForm(rt), "", "")
					if r.status != 200 {
						t.Fatalf("refresh: %d %s", r.status, r.body)
					}
					rt = r.json(t)["refresh_token"].(string)
				}
				get(t, s, oauth2test.PathMetrics)
			})
		}
	})
	if n := s.TokenRequests("refresh_token"); n != 80 {
		t.Errorf("refresh requests = %d", n)
	}
}
