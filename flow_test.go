package oauth2client

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const (
	testCode   = "the-authorization-code-4/0Ab"
	testSecret = "s3cr3t+&=:/"
	testID     = "client:id/ü"
)

// tokenServer is a token endpoint that checks each request with check and
// answers a fixed token response. It counts requests.
type tokenServer struct {
	*httptest.Server
	requests atomic.Int32
}

func newTokenServer(t *testing.T, check func(t *testing.T, r *http.Request, form url.Values)) *tokenServer {
	t.Helper()
	ts := &tokenServer{}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ts.requests.Add(1)
		if r.Method != http.MethodPost || r.URL.Path != "/token" {
			t.Errorf("request %s %s", r.Method, r.URL.Path)
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
			t.Errorf("Content-Type %q", ct)
		}
		if err := r.ParseForm(); err != nil {
			t.Errorf("ParseForm: %v", err)
		}
		if len(r.URL.RawQuery) > 0 {
			t.Errorf("token request has a query %q", r.URL.RawQuery)
		}
		if check != nil {
			check(t, r, r.PostForm)
		}
		if r.PostForm.Get("code") != testCode {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant","error_description":"bad code"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		_, _ = w.Write([]byte(`{"access_token":"at-1","token_type":"Bearer","expires_in":3600,
			"refresh_token":"rt-1","scope":"openid email","id_token":"x.y.z"}`))
	}))
	t.Cleanup(ts.Close)
	return ts
}

// testConfig returns a flow config for a token server at base.
func testConfig(base string) Config {
	return Config{
		ClientID: testID,
		Endpoint: Endpoint{
			Issuer:        base,
			AuthURL:       base + "/authorize",
			TokenURL:      base + "/token",
			RevocationURL: base + "/revoke",
			TokenInfoURL:  base + "/tokeninfo",
		},
		RedirectURL: "http://127.0.0.1:5555/callback",
		Scopes:      []string{"openid", "email"},
	}
}

// callback simulates the authorization server: it reads the authorization
// URL and returns the callback query for code.
func callback(t *testing.T, authURL, code, iss string) (url.Values, url.Values) {
	t.Helper()
	u, err := url.Parse(authURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	cb := url.Values{"code": {code}, "state": {q.Get("state")}}
	if iss != "" {
		cb.Set("iss", iss)
	}
	return q, cb
}

var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestFlowExchangeCallback(t *testing.T) {
	tests := []struct {
		name       string
		secret     string
		style      AuthStyle
		methods    []string
		wantStyle  AuthStyle
		checkCreds func(t *testing.T, r *http.Request, form url.Values)
	}{
		{
			name: "public client", wantStyle: AuthStyleNone,
			checkCreds: func(t *testing.T, r *http.Request, form url.Values) {
				if _, _, ok := r.BasicAuth(); ok || form.Get("client_id") != testID || form.Has("client_secret") {
					t.Errorf("public client auth: header %q, form %v", r.Header.Get("Authorization"), form)
				}
			},
		},
		{
			name: "auto basic", secret: testSecret, wantStyle: AuthStyleBasic,
			checkCreds: checkBasic,
		},
		{
			name: "auto basic when both advertised", secret: testSecret, wantStyle: AuthStyleBasic,
			methods:    []string{"client_secret_post", "client_secret_basic"},
			checkCreds: checkBasic,
		},
		{
			name: "auto post from metadata", secret: testSecret, wantStyle: AuthStylePost,
			methods:    []string{"client_secret_post", "private_key_jwt"},
			checkCreds: checkPost,
		},
		{
			name: "explicit post", secret: testSecret, style: AuthStylePost, wantStyle: AuthStylePost,
			methods:    []string{"client_secret_basic"},
			checkCreds: checkPost,
		},
		{
			name: "explicit basic", secret: testSecret, style: AuthStyleBasic, wantStyle: AuthStyleBasic,
			methods:    []string{"client_secret_post"},
			checkCreds: checkBasic,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var challenge string
			ts := newTokenServer(t, func(t *testing.T, r *http.Request, form url.Values) {
				tt.checkCreds(t, r, form)
				want := map[string]string{
					"grant_type":   "authorization_code",
					"code":         testCode,
					"redirect_uri": "http://127.0.0.1:5555/callback",
				}
				for k, v := range want {
					if got := form.Get(k); got != v {
						t.Errorf("form %s = %q, want %q", k, got, v)
					}
				}
				v := form.Get("code_verifier")
				if !validVerifier(v) || len(v) != 43 {
					t.Errorf("code_verifier %q is not 43 unreserved characters", v)
				}
				if S256Challenge(v) != challenge {
					t.Errorf("code_verifier does not match the challenge")
				}
				if ua := r.Header.Get("User-Agent"); ua != "flow-test/1" {
					t.Errorf("User-Agent %q", ua)
				}
			})
			cfg := testConfig(ts.URL)
			cfg.ClientSecret = tt.secret
			cfg.AuthStyle = tt.style
			cfg.Endpoint.TokenAuthMethods = tt.methods
			cfg.Endpoint.IntrospectionURL = ts.URL + "/introspect"
			cfg.UserAgent = "flow-test/1"
			cfg.HTTPClient = ts.Client()
			cfg.Now = func() time.Time { return fixedNow }
			flow, err := NewFlow(cfg)
			if err != nil {
				t.Fatal(err)
			}
			q, cb := callback(t, mustAuthCodeURL(t, flow, AccessTypeOffline()), testCode, ts.URL)
			challenge = q.Get("code_challenge")
			creds, err := flow.ExchangeCallback(context.Background(), cb)
			if err != nil {
				t.Fatalf("ExchangeCallback: %v", err)
			}
			if n := ts.requests.Load(); n != 1 {
				t.Errorf("%d token requests, want 1", n)
			}
			tok := creds.CurrentToken()
			if tok.AccessToken != "at-1" || tok.RefreshToken != "rt-1" || tok.IDToken != "x.y.z" ||
				!tok.Expiry.Equal(fixedNow.Add(time.Hour)) {
				t.Errorf("token %+v", tok)
			}
			got := creds.Config()
			if got.ClientID != testID || got.ClientSecret != tt.secret || got.TokenURI != ts.URL+"/token" ||
				got.RevokeURI != ts.URL+"/revoke" || got.TokenInfoURI != ts.URL+"/tokeninfo" ||
				got.AuthStyle != tt.wantStyle || got.UserAgent != "flow-test/1" || got.HTTPClient != ts.Client() ||
				!reflect.DeepEqual(got.Scopes, []string{"openid", "email"}) || got.Cache.Now == nil {
				t.Errorf("credentials config %+v", got)
			}
			if flow.Pending() != nil {
				t.Error("pending authorization kept after a successful exchange")
			}
		})
	}
}

func checkBasic(t *testing.T, r *http.Request, form url.Values) {
	// RFC 6749 §2.3.1: id and secret are form-urlencoded, then Basic-encoded.
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(testID)+":"+url.QueryEscape(testSecret)))
	if got := r.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization %q, want %q", got, want)
	}
	if form.Has("client_secret") || form.Has("client_id") {
		t.Errorf("basic auth also in form: %v", form)
	}
}

func checkPost(t *testing.T, r *http.Request, form url.Values) {
	if _, _, ok := r.BasicAuth(); ok {
		t.Error("post auth sent a Basic header")
	}
	if form.Get("client_id") != testID || form.Get("client_secret") != testSecret {
		t.Errorf("post auth form %v", form)
	}
}

func TestAuthCodeURL(t *testing.T) {
	cfg := testConfig("https://issuer.example")
	cfg.Endpoint.AuthURL = "https://issuer.example/authorize?tenant=x"
	flow, err := NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	raw := mustAuthCodeURL(t, flow, AccessType("offline"), Prompt("consent", "select_account"), LoginHint("a@example.com"),
		IncludeGrantedScopes(), SetParam("hd", "example.com"), SetParam("state", "fixed"),
		SetParam("code_challenge_method", "plain"), nil)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host+u.Path != "https://issuer.example/authorize" {
		t.Errorf("URL %q", raw)
	}
	q := u.Query()
	st := flow.Pending()
	want := map[string]string{
		"tenant":                 "x",
		"response_type":          "code",
		"client_id":              testID,
		"redirect_uri":           "http://127.0.0.1:5555/callback",
		"scope":                  "openid email",
		"access_type":            "offline",
		"prompt":                 "consent select_account",
		"login_hint":             "a@example.com",
		"include_granted_scopes": "true",
		"hd":                     "example.com",
		"code_challenge_method":  "S256",
		"state":                  st.State,
		"nonce":                  st.Nonce,
		"code_challenge":         S256Challenge(st.CodeVerifier),
	}
	for k, v := range want {
		if len(q[k]) != 1 || q.Get(k) != v {
			t.Errorf("param %s = %q, want %q", k, q[k], v)
		}
	}
	if len(q) != len(want) {
		t.Errorf("params %v, want exactly %v", q, want)
	}
	if st.URL != raw || st.Issuer != "https://issuer.example" || st.ClientID != testID {
		t.Errorf("pending %+v", st)
	}
	// 256 random bits: 43 base64url characters.
	for name, v := range map[string]string{"state": st.State, "nonce": st.Nonce, "verifier": st.CodeVerifier} {
		if len(v) != 43 || !validVerifier(v) {
			t.Errorf("%s %q is not 43 base64url characters", name, v)
		}
	}
	if st.State == "fixed" {
		t.Error("SetParam overrode the state")
	}
	// A second authorization draws new values and replaces the pending one.
	mustAuthCodeURL(t, flow)
	st2 := flow.Pending()
	if st2.State == st.State || st2.CodeVerifier == st.CodeVerifier || st2.Nonce == st.Nonce {
		t.Error("random values repeated")
	}
}

func TestAuthCodeURLOptions(t *testing.T) {
	tests := []struct {
		name      string
		mutate    func(*Config)
		opts      []AuthCodeOption
		want      map[string]string // "" means absent
		wantNonce bool
	}{
		{
			name:   "no openid, no nonce",
			mutate: func(c *Config) { c.Scopes = []string{"email"} },
			want:   map[string]string{"nonce": "", "scope": "email"},
		},
		{
			name:      "nonce on request",
			mutate:    func(c *Config) { c.Scopes = []string{"email"} },
			opts:      []AuthCodeOption{WithNonce()},
			wantNonce: true,
		},
		{
			name:      "caller's nonce",
			opts:      []AuthCodeOption{SetParam("nonce", "n-123")},
			want:      map[string]string{"nonce": "n-123"},
			wantNonce: true,
		},
		{
			name:      "skip PKCE",
			mutate:    func(c *Config) { c.InsecureSkipPKCE = true },
			want:      map[string]string{"code_challenge": "", "code_challenge_method": ""},
			wantNonce: true,
		},
		{
			name:   "no redirect, no scopes",
			mutate: func(c *Config) { c.RedirectURL = ""; c.Scopes = nil },
			want:   map[string]string{"redirect_uri": "", "scope": "", "nonce": ""},
		},
		{
			name:      "empty prompt",
			opts:      []AuthCodeOption{Prompt()},
			want:      map[string]string{"prompt": ""},
			wantNonce: true,
		},
		{
			name:   "offline_access asks for consent",
			mutate: func(c *Config) { c.Scopes = []string{"email", "offline_access"} },
			want:   map[string]string{"prompt": "consent"},
		},
		{
			name:   "offline_access keeps the caller's prompt",
			mutate: func(c *Config) { c.Scopes = []string{"email", "offline_access"} },
			opts:   []AuthCodeOption{Prompt("login", "consent")},
			want:   map[string]string{"prompt": "login consent"},
		},
		{
			name: "redirect and scopes per authorization",
			opts: []AuthCodeOption{WithRedirectURL("http://127.0.0.1:4321/cb"), WithScopes("profile")},
			want: map[string]string{"redirect_uri": "http://127.0.0.1:4321/cb", "scope": "profile", "nonce": ""},
		},
		{
			name:      "redirect and scope through SetParam",
			opts:      []AuthCodeOption{SetParam("redirect_uri", "http://127.0.0.1:1/x"), SetParam("scope", "openid a")},
			want:      map[string]string{"redirect_uri": "http://127.0.0.1:1/x", "scope": "openid a"},
			wantNonce: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig("https://issuer.example")
			if tt.mutate != nil {
				tt.mutate(&cfg)
			}
			flow, err := NewFlow(cfg)
			if err != nil {
				t.Fatal(err)
			}
			st := mustStart(t, flow, tt.opts...)
			u, _ := url.Parse(st.URL)
			q := u.Query()
			for k, v := range tt.want {
				if q.Get(k) != v {
					t.Errorf("param %s = %q, want %q", k, q.Get(k), v)
				}
			}
			if (st.Nonce != "") != tt.wantNonce {
				t.Errorf("nonce %q, want one: %v", st.Nonce, tt.wantNonce)
			}
			if st.Nonce != q.Get("nonce") {
				t.Errorf("AuthState nonce %q, URL nonce %q", st.Nonce, q.Get("nonce"))
			}
			if st.RedirectURL != q.Get("redirect_uri") || strings.Join(st.Scopes, " ") != q.Get("scope") {
				t.Errorf("AuthState %+v does not match URL %q", st, st.URL)
			}
			if flow.Pending() != nil {
				t.Error("Start left a pending authorization in the flow")
			}
		})
	}
}

func TestAuthStateJSONRoundTrip(t *testing.T) {
	var gotVerifier string
	ts := newTokenServer(t, func(t *testing.T, r *http.Request, form url.Values) {
		gotVerifier = form.Get("code_verifier")
		if form.Get("redirect_uri") != "http://127.0.0.1:4321/cb" {
			t.Errorf("redirect_uri %q", form.Get("redirect_uri"))
		}
	})
	cfg := testConfig(ts.URL)
	cfg.ClientSecret = testSecret
	cfg.HTTPClient = ts.Client()
	flow, err := NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	st := mustStart(t, flow, WithRedirectURL("http://127.0.0.1:4321/cb"))
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "s3cr3t") {
		t.Fatalf("AuthState JSON carries the client secret: %s", b)
	}
	var keys map[string]any
	_ = json.Unmarshal(b, &keys)
	for _, k := range []string{"url", "state", "code_verifier", "nonce", "redirect_uri", "scopes", "issuer", "client_id", "created"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("JSON lacks %q: %s", k, b)
		}
	}

	// Later, in another request handler (or process), with a new Flow.
	flow2, err := NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var back AuthState
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, st) {
		t.Errorf("round trip: got %+v, want %+v", back, st)
	}
	resumed, err := flow2.Resume(&back)
	if err != nil {
		t.Fatal(err)
	}
	_, cb := callback(t, st.URL, testCode, "")
	if _, err := resumed.ExchangeCallback(context.Background(), cb); err != nil {
		t.Fatalf("ExchangeCallback: %v", err)
	}
	if gotVerifier != st.CodeVerifier {
		t.Error("resumed exchange sent another verifier")
	}
	if flow2.Pending() != nil {
		t.Error("Resume changed the original flow")
	}
}

func TestExchangeCallbackErrors(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*Config)
		query   func(good url.Values) url.Values
		want    string
		wantErr error
		wantAs  bool // *AuthorizationError
	}{
		{
			name: "access denied",
			query: func(g url.Values) url.Values {
				return url.Values{"error": {"access_denied"}, "error_description": {"user said no"}, "state": g["state"]}
			},
			want:    `oauth2client: authorization failed: access_denied: "user said no"`,
			wantErr: ErrAccessDenied, wantAs: true,
		},
		{
			name:   "other authorization error",
			query:  func(g url.Values) url.Values { return url.Values{"error": {"invalid_scope"}, "state": g["state"]} },
			want:   "oauth2client: authorization failed: invalid_scope",
			wantAs: true,
		},
		{
			name:    "error with wrong state",
			query:   func(g url.Values) url.Values { return url.Values{"error": {"access_denied"}, "state": {"forged"}} },
			want:    "oauth2client: callback: oauth2client: state mismatch",
			wantErr: ErrStateMismatch,
		},
		{
			name:    "wrong state",
			query:   func(g url.Values) url.Values { g.Set("state", "forged"); return g },
			wantErr: ErrStateMismatch,
		},
		{
			name:    "state prefix",
			query:   func(g url.Values) url.Values { g.Set("state", g.Get("state")[:20]); return g },
			wantErr: ErrStateMismatch,
		},
		{
			name:    "no state",
			query:   func(g url.Values) url.Values { g.Del("state"); return g },
			want:    "no state parameter",
			wantErr: ErrStateMismatch,
		},
		{
			name:  "repeated state",
			query: func(g url.Values) url.Values { g.Add("state", g.Get("state")); return g },
			want:  `parameter "state" repeated`,
		},
		{
			name:  "repeated code",
			query: func(g url.Values) url.Values { g.Add("code", "other"); return g },
			want:  `parameter "code" repeated`,
		},
		{
			name:  "no code",
			query: func(g url.Values) url.Values { g.Del("code"); return g },
			want:  "oauth2client: callback: no code parameter",
		},
		{
			name:    "wrong iss",
			query:   func(g url.Values) url.Values { g.Set("iss", "https://evil.example"); return g },
			want:    `iss "https://evil.example" is not the issuer`,
			wantErr: ErrIssuerMismatch,
		},
		{
			name: "wrong iss with access_denied",
			query: func(g url.Values) url.Values {
				return url.Values{"error": {"access_denied"}, "state": g["state"], "iss": {"https://evil.example"}}
			},
			wantErr: ErrIssuerMismatch,
		},
		{
			name:    "missing iss when advertised",
			mutate:  func(c *Config) { c.Endpoint.ResponseIssParameter = true },
			query:   func(g url.Values) url.Values { g.Del("iss"); return g },
			want:    "no iss parameter",
			wantErr: ErrIssuerMismatch,
		},
		{
			name:    "invalid grant from token endpoint",
			query:   func(g url.Values) url.Values { g.Set("code", "stale-code-value"); return g },
			want:    `oauth2client: token endpoint: invalid_grant: "bad code" (HTTP 400)`,
			wantErr: ErrInvalidGrant,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, nil)
			cfg := testConfig(ts.URL)
			cfg.ClientSecret = testSecret
			cfg.HTTPClient = ts.Client()
			if tt.mutate != nil {
				tt.mutate(&cfg)
			}
			flow, err := NewFlow(cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, good := callback(t, mustAuthCodeURL(t, flow), testCode, ts.URL)
			st := flow.Pending()
			creds, err := flow.ExchangeCallback(context.Background(), tt.query(good))
			if err == nil {
				t.Fatalf("no error; credentials %v", creds)
			}
			msg := err.Error()
			if tt.want != "" && !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %v", msg, tt.wantErr)
			}
			var ae *AuthorizationError
			if errors.As(err, &ae) != tt.wantAs {
				t.Errorf("errors.As(*AuthorizationError) = %v, want %v", !tt.wantAs, tt.wantAs)
			}
			for _, secret := range []string{testCode, "stale-code-value", st.State, st.CodeVerifier, testSecret, "at-1"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q reveals %q", msg, secret)
				}
			}
			if !errors.Is(err, ErrInvalidGrant) && ts.requests.Load() != 0 {
				t.Errorf("%d token requests for a rejected callback", ts.requests.Load())
			}
			if flow.Pending() == nil {
				t.Error("failed exchange dropped the pending authorization")
			}
		})
	}
}

func TestExchange(t *testing.T) {
	t.Run("with pending", func(t *testing.T) {
		var form url.Values
		ts := newTokenServer(t, func(t *testing.T, r *http.Request, f url.Values) { form = f })
		cfg := testConfig(ts.URL)
		cfg.HTTPClient = ts.Client()
		flow, _ := NewFlow(cfg)
		mustAuthCodeURL(t, flow, WithRedirectURL("http://127.0.0.1:9/x"))
		st := flow.Pending()
		if _, err := flow.Exchange(context.Background(), testCode); err != nil {
			t.Fatal(err)
		}
		if form.Get("code_verifier") != st.CodeVerifier || form.Get("redirect_uri") != "http://127.0.0.1:9/x" {
			t.Errorf("form %v", form)
		}
	})
	t.Run("no pending without PKCE", func(t *testing.T) {
		var form url.Values
		ts := newTokenServer(t, func(t *testing.T, r *http.Request, f url.Values) { form = f })
		cfg := testConfig(ts.URL)
		cfg.HTTPClient = ts.Client()
		cfg.InsecureSkipPKCE = true
		flow, _ := NewFlow(cfg)
		creds, err := flow.Exchange(context.Background(), testCode)
		if err != nil {
			t.Fatal(err)
		}
		if form.Has("code_verifier") || form.Get("redirect_uri") != cfg.RedirectURL {
			t.Errorf("form %v", form)
		}
		if !creds.HasScopes("openid", "email") {
			t.Errorf("scopes %v", creds.Scopes())
		}
	})
	t.Run("errors", func(t *testing.T) {
		flow, _ := NewFlow(testConfig("https://issuer.example"))
		for _, tc := range []struct {
			name string
			run  func() error
			want string
		}{
			{"empty code", func() error { _, err := flow.Exchange(context.Background(), ""); return err }, "empty authorization code"},
			{"no pending", func() error { _, err := flow.Exchange(context.Background(), "c"); return err }, "no pending authorization"},
			{"callback no pending", func() error { _, err := flow.ExchangeCallback(context.Background(), url.Values{}); return err }, "no pending authorization"},
		} {
			if err := tc.run(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
			}
		}
	})
	t.Run("network error hides the URL", func(t *testing.T) {
		ts := httptest.NewServer(http.NotFoundHandler())
		ts.Close()
		cfg := testConfig(ts.URL)
		cfg.Endpoint.TokenURL = ts.URL + "/token?key=k3y"
		flow, _ := NewFlow(cfg)
		mustAuthCodeURL(t, flow)
		_, err := flow.Exchange(context.Background(), testCode)
		var e *Error
		if !errors.As(err, &e) || !e.Temporary() || strings.Contains(err.Error(), "k3y") || strings.Contains(err.Error(), testCode) {
			t.Errorf("error %v", err)
		}
	})
}

func TestNewFlowErrors(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Config)
		want   string
	}{
		{"no client id", func(c *Config) { c.ClientID = "" }, "flow config: ClientID: missing"},
		{"no auth URL", func(c *Config) { c.Endpoint.AuthURL = "" }, "Endpoint.AuthURL: missing"},
		{"no token URL", func(c *Config) { c.Endpoint.TokenURL = "" }, "Endpoint.TokenURL: missing"},
		{"http token URL", func(c *Config) { c.Endpoint.TokenURL = "http://example.com/token" }, "Endpoint.TokenURL: must use https"},
		{"relative auth URL", func(c *Config) { c.Endpoint.AuthURL = "/authorize" }, "Endpoint.AuthURL: not an absolute URL"},
		{"relative redirect", func(c *Config) { c.RedirectURL = "/cb" }, "RedirectURL: not an absolute URI"},
		{"redirect fragment", func(c *Config) { c.RedirectURL = "https://app/cb#x" }, "RedirectURL: must not have a fragment"},
		{"scope with space", func(c *Config) { c.Scopes = []string{"openid", "a b"} }, `Scopes[1]: "a b" is not a scope token`},
		{"empty scope", func(c *Config) { c.Scopes = []string{""} }, `Scopes[0]`},
		{"bad auth style", func(c *Config) { c.AuthStyle = 9 }, "AuthStyle: unknown style 9"},
		{"no S256", func(c *Config) { c.Endpoint.CodeChallengeMethods = []string{"plain"} }, "does not support PKCE S256"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig("https://issuer.example")
			cfg.ClientSecret = testSecret
			tt.mutate(&cfg)
			_, err := NewFlow(cfg)
			if err == nil || !strings.HasPrefix(err.Error(), "oauth2client: flow config: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewFlow: %v, want %q", err, tt.want)
			}
		})
	}
	// The escape hatch for servers without S256.
	cfg := testConfig("https://issuer.example")
	cfg.Endpoint.CodeChallengeMethods = []string{"plain"}
	cfg.InsecureSkipPKCE = true
	if _, err := NewFlow(cfg); err != nil {
		t.Errorf("InsecureSkipPKCE: %v", err)
	}
}

func TestNewFlowCopiesConfig(t *testing.T) {
	cfg := testConfig("https://issuer.example")
	cfg.Endpoint.TokenAuthMethods = []string{"client_secret_basic"}
	flow, err := NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Scopes[0] = "changed"
	cfg.Endpoint.TokenAuthMethods[0] = "changed"
	got := flow.Config()
	if got.Scopes[0] != "openid" || got.Endpoint.TokenAuthMethods[0] != "client_secret_basic" {
		t.Errorf("flow shares the caller's slices: %+v", got)
	}
	got.Scopes[0] = "again"
	if flow.Config().Scopes[0] != "openid" {
		t.Error("Config returns shared slices")
	}
}

func TestResumeErrors(t *testing.T) {
	flow, err := NewFlow(testConfig("https://issuer.example"))
	if err != nil {
		t.Fatal(err)
	}
	good := func() *AuthState { return mustStart(t, flow) }
	tests := []struct {
		name    string
		st      func() *AuthState
		want    string
		wantErr error
	}{
		{"nil", func() *AuthState { return nil }, "nil AuthState", nil},
		{"no state", func() *AuthState { s := good(); s.State = ""; return s }, "State is empty", nil},
		{"other client", func() *AuthState { s := good(); s.ClientID = "x"; return s }, "another client", nil},
		{"other issuer", func() *AuthState { s := good(); s.Issuer = "https://evil.example"; return s }, "started for issuer", ErrIssuerMismatch},
		{"no verifier", func() *AuthState { s := good(); s.CodeVerifier = ""; return s }, "no PKCE code verifier", nil},
		{"short verifier", func() *AuthState { s := good(); s.CodeVerifier = "abc"; return s }, "CodeVerifier is malformed", nil},
		{"bad verifier chars", func() *AuthState { s := good(); s.CodeVerifier = strings.Repeat("a+", 30); return s }, "CodeVerifier is malformed", nil},
		{"bad redirect", func() *AuthState { s := good(); s.RedirectURL = "cb"; return s }, "RedirectURL: not an absolute URI", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := tt.st()
			_, err := flow.Resume(st)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Resume: %v, want %q", err, tt.want)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
			if st != nil && st.CodeVerifier != "" && strings.Contains(err.Error(), st.CodeVerifier) {
				t.Errorf("error %q reveals the verifier", err)
			}
		})
	}
}

func TestPKCE(t *testing.T) {
	// RFC 7636 Appendix B.
	if got := S256Challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("S256Challenge = %q", got)
	}
	v := GenerateVerifier()
	if len(v) != 43 || !validVerifier(v) {
		t.Errorf("GenerateVerifier = %q", v)
	}
	for _, tc := range []struct {
		v  string
		ok bool
	}{
		{strings.Repeat("a", 42), false},
		{strings.Repeat("a", 43), true},
		{strings.Repeat("-._~", 32), true},
		{strings.Repeat("a", 129), false},
		{strings.Repeat("a", 42) + "=", false},
		{strings.Repeat("a", 42) + "/", false},
	} {
		if validVerifier(tc.v) != tc.ok {
			t.Errorf("validVerifier(%q) = %v", tc.v, !tc.ok)
		}
	}
}

// mustAuthCodeURL calls flow.AuthCodeURL, failing t on an error.
func mustAuthCodeURL(t testing.TB, flow *Flow, opts ...AuthCodeOption) string {
	t.Helper()
	u, err := flow.AuthCodeURL(t.Context(), opts...)
	if err != nil {
		t.Fatalf("AuthCodeURL: %v", err)
	}
	return u
}

// mustStart calls flow.Start, failing t on an error.
func mustStart(t testing.TB, flow *Flow, opts ...AuthCodeOption) *AuthState {
	t.Helper()
	st, err := flow.Start(t.Context(), opts...)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return st
}
