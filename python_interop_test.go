package oauth2client

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// The interop tests run Python oauth2client 4.1.3 from Debian's
// python3-oauth2client package with /usr/bin/python3, both ways: Python
// reads what Go writes, and Go reads what Python writes.

const pythonPath = "/usr/bin/python3"

// requirePythonOAuth2Client fails the test under CI=true when Python
// oauth2client is missing, and skips it otherwise.
func requirePythonOAuth2Client(t *testing.T) {
	t.Helper()
	out, err := exec.Command(pythonPath, "-c", "import oauth2client; print(oauth2client.__version__)").CombinedOutput()
	if err == nil {
		return
	}
	msg := "needs Debian's python3-oauth2client (apt-get install python3-oauth2client) run by " + pythonPath + ": " +
		strings.TrimSpace(string(out))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// runPython runs a script from testdata/python and returns its stdout.
func runPython(t *testing.T, script string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command(pythonPath, append([]string{filepath.Join("testdata", "python", script)}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, stderr.Bytes())
	}
	return out
}

// pyFields is what testdata/python/read_credentials.py reports of one
// credentials object, as generic JSON.
type pyFields map[string]any

func TestPythonReadsGoCredentials(t *testing.T) {
	requirePythonOAuth2Client(t)
	claims := map[string]any{"sub": "alice", "iss": "http://127.0.0.1:9801", "aud": "cid", "exp": 1893553445}
	idt := fakeJWT(t, claims)
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 678, time.UTC)
	full := func() *Credentials {
		return NewCredentials(CredentialsConfig{
			ClientID: "cid", ClientSecret: "csecret", TokenURI: "http://127.0.0.1:9801/token",
			RevokeURI: "http://127.0.0.1:9801/revoke", TokenInfoURI: "http://127.0.0.1:9801/tokeninfo",
			IntrospectionURI: "http://127.0.0.1:9801/introspect", AuthStyle: AuthStylePost,
			UserAgent: "go-test/1", Scopes: []string{"openid", "email", "api:read"},
		}, &Token{AccessToken: "at-1", TokenType: "Bearer", RefreshToken: "rt-1", Expiry: expiry, IDToken: idt,
			Raw: map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": json.Number("3600"),
				"refresh_token": "rt-1", "id_token": idt, "scope": "openid email api:read"}})
	}
	invalid := full()
	invalid.invalid = true
	revoked := full()
	revoked.markRevoked() // as Revoke leaves it
	noExpiry := NewCredentials(CredentialsConfig{ClientID: "cid", ClientSecret: "", TokenURI: "http://127.0.0.1/t"},
		&Token{AccessToken: "at-2", RefreshToken: "rt-2"})

	base := pyFields{
		"class": "OAuth2Credentials", "access_token": "at-1", "client_id": "cid", "client_secret": "csecret",
		"refresh_token": "rt-1", "token_expiry": "2030-01-02T03:04:05Z", "token_uri": "http://127.0.0.1:9801/token",
		"user_agent": "go-test/1", "revoke_uri": "http://127.0.0.1:9801/revoke", "id_token": claims, "id_token_jwt": idt,
		"token_response": map[string]any{"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600,
			"refresh_token": "rt-1", "id_token": idt, "scope": "openid email api:read"},
		"scopes": []string{"api:read", "email", "openid"}, "token_info_uri": "http://127.0.0.1:9801/tokeninfo",
		"invalid": false,
	}
	with := func(edit func(f pyFields)) pyFields {
		f := pyFields{}
		for k, v := range base {
			f[k] = v
		}
		edit(f)
		return f
	}
	cases := []struct {
		name string
		c    *Credentials
		want pyFields
	}{
		{"full", full(), base},
		{"invalid", invalid, with(func(f pyFields) { f["invalid"] = true })},
		{"revoked", revoked, with(func(f pyFields) {
			f["invalid"], f["access_token"], f["refresh_token"], f["token_expiry"], f["token_response"] = true, nil, nil, nil, nil
		})},
		{"minimal without expiry", noExpiry, pyFields{
			"class": "OAuth2Credentials", "access_token": "at-2", "client_id": "cid", "client_secret": "",
			"refresh_token": "rt-2", "token_expiry": nil, "token_uri": "http://127.0.0.1/t", "user_agent": nil,
			"revoke_uri": nil, "id_token": nil, "id_token_jwt": nil, "token_response": nil, "scopes": []string{},
			"token_info_uri": nil, "invalid": false,
		}},
		{"access token credentials", NewAccessTokenCredentials("at-3", "go-test/2"), pyFields{
			"class": "AccessTokenCredentials", "access_token": "at-3", "client_id": nil, "client_secret": nil,
			"refresh_token": nil, "token_expiry": nil, "token_uri": nil, "user_agent": "go-test/2",
			"revoke_uri": nil, "id_token": nil, "id_token_jwt": nil, "token_response": nil, "scopes": []string{},
			"token_info_uri": nil, "invalid": false,
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, err := json.Marshal(tc.c)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "credentials.json")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			var got struct {
				Storage  map[string]any  `json:"storage"`
				FromJSON map[string]any  `json:"new_from_json"`
				ToJSON   json.RawMessage `json:"to_json"`
			}
			mustUnmarshal(t, runPython(t, "read_credentials.py", path), &got)
			want := normalizeJSON(t, tc.want)
			for name, seen := range map[string]map[string]any{"Storage.get": got.Storage, "new_from_json": got.FromJSON} {
				if !reflect.DeepEqual(seen, want) {
					t.Errorf("Python %s read:\n got %v\nwant %v", name, seen, want)
				}
			}

			// What Python writes back reads as what Go wrote, less our extra
			// fields (Python drops them).
			back, err := ParseCredentialsJSON(got.ToJSON)
			if err != nil {
				t.Fatal(err)
			}
			wantSnap := snap(tc.c)
			wantSnap.Cfg.IntrospectionURI, wantSnap.Cfg.AuthStyle = "", AuthStyleAuto
			if wantSnap.Tok != nil {
				tok := *wantSnap.Tok
				tok.Expiry = tok.Expiry.Truncate(time.Second)
				wantSnap.Tok = &tok
			}
			gotSnap := snap(back)
			for _, s := range [][]string{gotSnap.Scopes, wantSnap.Scopes, gotSnap.Cfg.Scopes, wantSnap.Cfg.Scopes} {
				slices.Sort(s) // Python keeps scopes in a set
			}
			if !reflect.DeepEqual(gotSnap.Cfg, wantSnap.Cfg) ||
				!reflect.DeepEqual(normalizeJSON(t, gotSnap.Tok), normalizeJSON(t, wantSnap.Tok)) ||
				!reflect.DeepEqual(normalizeJSON(t, gotSnap.Claims), normalizeJSON(t, wantSnap.Claims)) ||
				!slices.Equal(gotSnap.Scopes, wantSnap.Scopes) || gotSnap.Invalid != wantSnap.Invalid || gotSnap.Class != wantSnap.Class {
				t.Errorf("after Python rewrote it:\n got %+v\nwant %+v", gotSnap, wantSnap)
			}
		})
	}
}

func TestGoReadsPythonCredentials(t *testing.T) {
	requirePythonOAuth2Client(t)
	claims := map[string]any{"sub": "bob", "email": "bob@example.com", "email_verified": true}
	idt := fakeJWT(t, claims)
	tokenResponse := map[string]any{"access_token": "py-at", "token_type": "Bearer", "expires_in": 3599,
		"refresh_token": "py-rt", "id_token": idt}
	full := map[string]any{
		"class": "OAuth2Credentials", "access_token": "py-at", "client_id": "py-client", "client_secret": "py-secret",
		"refresh_token": "py-rt", "token_expiry": "2031-12-31T23:59:58Z", "token_uri": "http://127.0.0.1:9801/token",
		"user_agent": "py-agent/1", "revoke_uri": "http://127.0.0.1:9801/revoke", "id_token": claims, "id_token_jwt": idt,
		"token_response": tokenResponse, "scopes": []string{"openid", "email"},
		"token_info_uri": "http://127.0.0.1:9801/tokeninfo", "invalid": false,
	}
	with := func(edit func(m map[string]any)) map[string]any {
		m := map[string]any{}
		for k, v := range full {
			m[k] = v
		}
		edit(m)
		return m
	}
	type want struct {
		cfg      CredentialsConfig
		tok      Token
		claims   map[string]any
		scopes   []string
		invalid  bool
		class    string
		canRenew bool
	}
	fullWant := want{
		cfg: CredentialsConfig{ClientID: "py-client", ClientSecret: "py-secret", TokenURI: "http://127.0.0.1:9801/token",
			RevokeURI: "http://127.0.0.1:9801/revoke", TokenInfoURI: "http://127.0.0.1:9801/tokeninfo", UserAgent: "py-agent/1",
			Scopes: []string{"email", "openid"}},
		tok: Token{AccessToken: "py-at", TokenType: "Bearer", RefreshToken: "py-rt", IDToken: idt,
			Expiry: time.Date(2031, 12, 31, 23, 59, 58, 0, time.UTC), Raw: tokenResponse},
		claims: claims, scopes: []string{"email", "openid"}, class: "OAuth2Credentials", canRenew: true,
	}
	cases := []struct {
		name string
		spec map[string]any
		want want
	}{
		{"full", full, fullWant},
		{"invalid", with(func(m map[string]any) { m["invalid"] = true }), func() want { w := fullWant; w.invalid = true; return w }()},
		{"no expiry, no id token", with(func(m map[string]any) {
			m["token_expiry"], m["id_token"], m["id_token_jwt"], m["token_response"], m["scopes"] = nil, nil, nil, nil, nil
		}), func() want {
			w := fullWant
			w.tok = Token{AccessToken: "py-at", RefreshToken: "py-rt"}
			w.claims, w.cfg.Scopes, w.scopes = nil, nil, nil
			return w
		}()},
		{"google credentials", with(func(m map[string]any) { m["class"] = "GoogleCredentials" }), want{
			// Python's GoogleCredentials keeps only these (it even drops the expiry).
			cfg: CredentialsConfig{ClientID: "py-client", ClientSecret: "py-secret", TokenURI: "http://127.0.0.1:9801/token",
				RevokeURI: "http://127.0.0.1:9801/revoke", UserAgent: "py-agent/1"},
			tok:   Token{AccessToken: "py-at", RefreshToken: "py-rt", Expiry: time.Date(2031, 12, 31, 23, 59, 58, 0, time.UTC)},
			class: "GoogleCredentials", canRenew: true,
		}},
		{"access token credentials", map[string]any{"class": "AccessTokenCredentials", "access_token": "py-at", "user_agent": "py-agent/2"}, want{
			cfg: CredentialsConfig{UserAgent: "py-agent/2"}, tok: Token{AccessToken: "py-at"}, class: "AccessTokenCredentials",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec, err := json.Marshal(tc.spec)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "credentials.json")
			runPython(t, "write_credentials.py", path, string(spec))
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			c, err := ParseCredentialsJSON(data)
			if err != nil {
				t.Fatalf("parse %s: %v", data, err)
			}
			cfg := c.Config()
			slices.Sort(cfg.Scopes)
			if !reflect.DeepEqual(cfg, tc.want.cfg) {
				t.Errorf("config:\n got %+v\nwant %+v", cfg, tc.want.cfg)
			}
			tok := *c.CurrentToken()
			if !reflect.DeepEqual(normalizeJSON(t, tok), normalizeJSON(t, tc.want.tok)) || !tok.Expiry.Equal(tc.want.tok.Expiry) {
				t.Errorf("token:\n got %+v\nwant %+v", tok, tc.want.tok)
			}
			if !reflect.DeepEqual(normalizeJSON(t, c.IDTokenClaims()), normalizeJSON(t, tc.want.claims)) {
				t.Errorf("claims = %v, want %v", c.IDTokenClaims(), tc.want.claims)
			}
			scopes := c.Scopes()
			slices.Sort(scopes)
			if !slices.Equal(scopes, tc.want.scopes) {
				t.Errorf("Scopes() = %v, want %v", scopes, tc.want.scopes)
			}
			if c.Invalid() != tc.want.invalid || c.class.name != tc.want.class || c.class.module != "oauth2client.client" {
				t.Errorf("invalid %v class %+v", c.Invalid(), c.class)
			}
			if !tc.want.canRenew {
				if _, err := c.Refresh(t.Context()); err == nil || !strings.Contains(err.Error(), "cannot be refreshed") {
					t.Errorf("Refresh: %v, want ErrCannotRefresh", err)
				}
			}

			// Written back, the same JSON values Python wrote.
			pyWrote, goWrote, out := writtenBack(t, c, data)
			slices.SortFunc(pyWrote["scopes"].([]any), compareAnyString)
			slices.SortFunc(goWrote["scopes"].([]any), compareAnyString)
			if !reflect.DeepEqual(pyWrote, goWrote) {
				t.Errorf("written back:\n got %s\nwant %s", out, data)
			}
		})
	}
}

func compareAnyString(a, b any) int { return strings.Compare(a.(string), b.(string)) }

// normalizeJSON round-trips v through JSON so that numbers, slices and maps
// of different Go types compare equal.
func normalizeJSON(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	mustUnmarshal(t, b, &out)
	return out
}
