package oauth2client

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// referenceCredentials returns every credentials JSON held in the Python
// reference files under testdata/reference, named by file and key.
func referenceCredentials(t testing.TB) map[string][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/reference/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no reference files: %v", err)
	}
	out := map[string][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		name := filepath.Base(f)
		switch {
		case top["data"] != nil: // multistore, file_version 1
			var entries []struct{ Credential json.RawMessage }
			if err := json.Unmarshal(top["data"], &entries); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for i, e := range entries {
				out[name+"#"+string(rune('0'+i))] = e.Credential
			}
		case top["credentials"] != nil: // multiprocess, file_version 2
			var creds map[string]string
			if err := json.Unmarshal(top["credentials"], &creds); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			for k, v := range creds {
				b, err := base64.StdEncoding.DecodeString(v)
				if err != nil {
					t.Fatalf("%s: %s: %v", f, k, err)
				}
				out[name+"#"+k] = b
			}
		default:
			out[name] = data
		}
	}
	return out
}

func TestParseCredentialsJSONReference(t *testing.T) {
	wantExpiry := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	for name, data := range referenceCredentials(t) {
		t.Run(name, func(t *testing.T) {
			c, err := ParseCredentialsJSON(data)
			if err != nil {
				t.Fatal(err)
			}
			cfg, tok := c.Config(), c.CurrentToken()
			if cfg.ClientID != "conf-client" || cfg.ClientSecret != "conf-secret" ||
				cfg.TokenURI != "http://127.0.0.1:9801/token" ||
				cfg.RevokeURI != "http://127.0.0.1:9801/token/revocation" || cfg.UserAgent != "peers-test/1.0" {
				t.Errorf("config = %+v", cfg)
			}
			if tok.RefreshToken != "1//test-refresh-token" || !tok.Expiry.Equal(wantExpiry) {
				t.Errorf("refresh token or expiry wrong: expiry %v", tok.Expiry)
			}
			if tok.AccessToken == "" || c.Invalid() {
				t.Errorf("access token empty or invalid")
			}
			if !c.HasScopes("api:read") {
				t.Errorf("Scopes() = %v, want api:read among them", c.Scopes())
			}
			if strings.Contains(name, "4.1.3") {
				if got := c.IDTokenClaims(); got["sub"] != "alice" || got["iss"] != "http://127.0.0.1:9801" {
					t.Errorf("IDTokenClaims() = %v", got)
				}
				if tok.Raw["expires_in"] != json.Number("3600") || tok.Raw["token_type"] != "Bearer" {
					t.Errorf("Raw = %v", tok.Raw)
				}
				if tok.TokenType != "Bearer" {
					t.Errorf("TokenType = %q", tok.TokenType)
				}
				if want := []string{"openid", "api:read", "email"}; !slices.Equal(c.Scopes(), want) {
					t.Errorf("Scopes() = %v, want %v", c.Scopes(), want)
				}
				if cfg.TokenInfoURI != "http://127.0.0.1:9801/token/introspection" {
					t.Errorf("TokenInfoURI = %q", cfg.TokenInfoURI)
				}
			} else if c.IDTokenClaims() != nil {
				t.Errorf("IDTokenClaims() = %v, want nil", c.IDTokenClaims())
			}

			// Written back: the same fields and values Python wrote.
			in, got, out := writtenBack(t, c, data)
			if _, ok := in["id_token_jwt"]; !ok {
				in["id_token_jwt"] = nil // written by 4.1.x, absent from 3.0.0
			}
			if !reflect.DeepEqual(in, got) {
				t.Errorf("written back:\n got %s\nwant %s", out, data)
			}
		})
	}
}

// writtenBack marshals c, read from data, and returns both as generic JSON
// objects, with c's JSON.
func writtenBack(t testing.TB, c *Credentials, data []byte) (read, wrote map[string]any, out []byte) {
	t.Helper()
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	mustUnmarshal(t, data, &read)
	mustUnmarshal(t, out, &wrote)
	return read, wrote, out
}

func mustUnmarshal(t testing.TB, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("unmarshal %s: %v", data, err)
	}
}

// pyJSON is a minimal valid OAuth2Credentials JSON, edited by the cases.
func pyJSON(t testing.TB, edit func(m map[string]any)) []byte {
	t.Helper()
	m := map[string]any{
		"access_token": "at", "client_id": "cid", "client_secret": "cs", "refresh_token": "rt",
		"token_expiry": "2030-01-02T03:04:05Z", "token_uri": "http://127.0.0.1/token",
		"user_agent": nil, "invalid": false, "_class": "OAuth2Credentials", "_module": "oauth2client.client",
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCredentialsJSONErrors(t *testing.T) {
	cases := []struct {
		name string
		data []byte
		want string // in the error message
	}{
		{"not JSON", []byte("{"), "not a JSON object"},
		{"array", []byte("[]"), "not a JSON object"},
		{"null", []byte("null"), "not a JSON object"},
		{"missing access_token", pyJSON(t, func(m map[string]any) { delete(m, "access_token") }), `missing field "access_token"`},
		{"missing invalid", pyJSON(t, func(m map[string]any) { delete(m, "invalid") }), `missing field "invalid"`},
		{"missing token_expiry", pyJSON(t, func(m map[string]any) { delete(m, "token_expiry") }), `missing field "token_expiry"`},
		{"access_token number", pyJSON(t, func(m map[string]any) { m["access_token"] = 5 }), `field "access_token" is a number, want a string`},
		{"client_id object", pyJSON(t, func(m map[string]any) { m["client_id"] = map[string]any{} }), `field "client_id" is an object`},
		{"token_expiry number", pyJSON(t, func(m map[string]any) { m["token_expiry"] = 17 }), `field "token_expiry" is a number`},
		{"invalid string", pyJSON(t, func(m map[string]any) { m["invalid"] = "no" }), `field "invalid" is a string, want a boolean`},
		{"id_token string", pyJSON(t, func(m map[string]any) { m["id_token"] = "x.y.z" }), `field "id_token" is a string, want an object`},
		{"token_response array", pyJSON(t, func(m map[string]any) { m["token_response"] = []any{} }), `field "token_response" is an array`},
		{"scopes numbers", pyJSON(t, func(m map[string]any) { m["scopes"] = []any{1} }), `field "scopes" is an array, want a list of strings`},
		{"auth_style unknown", pyJSON(t, func(m map[string]any) { m["auth_style"] = "magic" }), `field "auth_style"`},
		{"service account", pyJSON(t, func(m map[string]any) {
			m["_class"], m["_module"] = "ServiceAccountCredentials", "oauth2client.service_account"
		}), "serviceaccount.ParsePythonJSON"},
		{"jwt access", pyJSON(t, func(m map[string]any) {
			m["_class"], m["_module"] = "_JWTAccessCredentials", "oauth2client.service_account"
		}), "service account"},
		{"unknown class", pyJSON(t, func(m map[string]any) { m["_class"] = "Foo" }), `unsupported _class "Foo"`},
		{"too large", append(pyJSON(t, nil), bytes.Repeat([]byte(" "), MaxCredentialsJSON)...), "exceeds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseCredentialsJSON(tc.data)
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			for _, secret := range []string{`"at"`, `"rt"`, `"cs"`} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes a secret", err)
				}
			}
		})
	}
}

func TestParseCredentialsJSONLenient(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		check  func(t *testing.T, c *Credentials)
		reJSON func(m map[string]any) // expected differences when written back
	}{
		{"unparseable expiry", pyJSON(t, func(m map[string]any) { m["token_expiry"] = "next tuesday" }),
			func(t *testing.T, c *Credentials) {
				if !c.CurrentToken().Expiry.IsZero() {
					t.Errorf("Expiry = %v, want zero", c.CurrentToken().Expiry)
				}
			}, func(m map[string]any) { m["token_expiry"] = nil }},
		{"one-digit expiry fields", pyJSON(t, func(m map[string]any) { m["token_expiry"] = "2030-1-2T3:4:5Z" }),
			func(t *testing.T, c *Credentials) {
				if want := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC); !c.CurrentToken().Expiry.Equal(want) {
					t.Errorf("Expiry = %v, want %v", c.CurrentToken().Expiry, want)
				}
			}, func(m map[string]any) { m["token_expiry"] = "2030-01-02T03:04:05Z" }},
		{"null expiry and invalid", pyJSON(t, func(m map[string]any) { m["token_expiry"], m["invalid"] = nil, nil }),
			func(t *testing.T, c *Credentials) {
				if c.Invalid() || !c.CurrentToken().Expiry.IsZero() {
					t.Error("want valid, no expiry")
				}
			}, func(m map[string]any) { m["invalid"] = false }},
		{"invalid true", pyJSON(t, func(m map[string]any) { m["invalid"] = true }),
			func(t *testing.T, c *Credentials) {
				if !c.Invalid() {
					t.Error("want invalid")
				}
				if _, err := c.Token(t.Context()); !errors.Is(err, ErrInvalidCredentials) {
					t.Errorf("Token: %v, want ErrInvalidCredentials", err)
				}
			}, nil},
		{"scopes as string", pyJSON(t, func(m map[string]any) { m["scopes"] = "a b" }),
			func(t *testing.T, c *Credentials) {
				if !slices.Equal(c.Scopes(), []string{"a", "b"}) {
					t.Errorf("Scopes() = %v", c.Scopes())
				}
			}, func(m map[string]any) { m["scopes"] = []any{"a", "b"} }},
		{"no class", pyJSON(t, func(m map[string]any) { delete(m, "_class"); delete(m, "_module") }),
			nil, func(m map[string]any) { m["_class"], m["_module"] = "OAuth2Credentials", "oauth2client.client" }},
		{"GoogleCredentials", pyJSON(t, func(m map[string]any) { m["_class"] = "GoogleCredentials" }), nil, nil},
		{"AccessTokenCredentials minimal", []byte(`{"access_token":"at","user_agent":"ua","_class":"AccessTokenCredentials","_module":"oauth2client.client"}`),
			func(t *testing.T, c *Credentials) {
				if _, err := c.Refresh(t.Context()); !errors.Is(err, ErrCannotRefresh) {
					t.Errorf("Refresh: %v, want ErrCannotRefresh", err)
				}
			}, func(m map[string]any) {
				for _, k := range []string{"client_id", "client_secret", "refresh_token", "token_expiry", "token_uri",
					"revoke_uri", "id_token", "id_token_jwt", "token_response", "token_info_uri"} {
					m[k] = nil
				}
				m["scopes"], m["invalid"] = []any{}, false
			}},
		{"extra fields", pyJSON(t, func(m map[string]any) {
			m["introspection_uri"], m["auth_style"], m["future"] = "http://127.0.0.1/i", "client_secret_post", 1
		}), func(t *testing.T, c *Credentials) {
			if cfg := c.Config(); cfg.IntrospectionURI != "http://127.0.0.1/i" || cfg.AuthStyle != AuthStylePost {
				t.Errorf("config = %+v", cfg)
			}
		}, func(m map[string]any) { delete(m, "future") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := ParseCredentialsJSON(tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, c)
			}
			out, err := json.Marshal(c)
			if err != nil {
				t.Fatal(err)
			}
			var want, got map[string]any
			mustUnmarshal(t, tc.data, &want)
			mustUnmarshal(t, out, &got)
			for _, k := range []string{"revoke_uri", "id_token", "id_token_jwt", "token_response", "token_info_uri"} {
				if _, ok := want[k]; !ok {
					want[k] = nil
				}
			}
			if _, ok := want["scopes"]; !ok {
				want["scopes"] = []any{}
			}
			if tc.reJSON != nil {
				tc.reJSON(want)
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("written back:\n got %s\nwant %v", out, want)
			}
		})
	}
}

func TestCredentialsMarshalJSON(t *testing.T) {
	idt := fakeJWT(t, map[string]any{"sub": "bob", "aud": "cid", "exp": 1893553445})
	exp := time.Date(2031, 5, 6, 7, 8, 9, 500, time.FixedZone("X", 3600))
	c := NewCredentials(CredentialsConfig{
		ClientID: "cid", TokenURI: "http://127.0.0.1/token", IntrospectionURI: "http://127.0.0.1/introspect",
		AuthStyle: AuthStyleNone, Scopes: []string{"openid", "email"},
	}, &Token{AccessToken: "at", RefreshToken: "rt", Expiry: exp, IDToken: idt,
		Raw: map[string]any{"access_token": "at", "expires_in": json.Number("3600"), "id_token": idt}})
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	mustUnmarshal(t, out, &got)
	want := map[string]any{
		"access_token": "at", "client_id": "cid", "client_secret": "", "refresh_token": "rt",
		"token_expiry": "2031-05-06T06:08:09Z", "token_uri": "http://127.0.0.1/token", "user_agent": nil,
		"revoke_uri": nil, "id_token": map[string]any{"sub": "bob", "aud": "cid", "exp": 1893553445.0},
		"id_token_jwt": idt, "token_response": map[string]any{"access_token": "at", "expires_in": 3600.0, "id_token": idt},
		"scopes": []any{"openid", "email"}, "token_info_uri": nil, "invalid": false,
		"_class": "OAuth2Credentials", "_module": "oauth2client.client",
		"introspection_uri": "http://127.0.0.1/introspect", "auth_style": "none",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MarshalJSON:\n got %v\nwant %v", got, want)
	}
	// Python's field order, for people diffing files.
	if !bytes.HasPrefix(out, []byte(`{"access_token":"at","client_id":"cid","client_secret":"","refresh_token":"rt","token_expiry":`)) {
		t.Errorf("field order: %s", out)
	}

	// Through UnmarshalJSON into a configured zero value.
	var back Credentials
	hc := &http.Client{}
	back.cfg.HTTPClient = hc
	if err := json.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if tok := back.CurrentToken(); tok.AccessToken != "at" || tok.IDToken != idt || !tok.Expiry.Equal(exp.Truncate(time.Second)) {
		t.Errorf("unmarshalled token = %+v", tok)
	}
	if back.Config().HTTPClient != hc {
		t.Error("UnmarshalJSON dropped the HTTP client")
	}
	if back.Config().AuthStyle != AuthStyleNone || back.IDTokenClaims()["sub"] != "bob" {
		t.Errorf("unmarshalled config %+v claims %v", back.Config(), back.IDTokenClaims())
	}
}

func TestAccessTokenCredentialsJSON(t *testing.T) {
	c := NewAccessTokenCredentials("at", "my-agent/1")
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	mustUnmarshal(t, out, &got)
	if got["_class"] != "AccessTokenCredentials" || got["client_id"] != nil || got["user_agent"] != "my-agent/1" || got["access_token"] != "at" {
		t.Errorf("JSON = %s", out)
	}
	back, err := ParseCredentialsJSON(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := back.Refresh(t.Context()); !errors.Is(err, ErrCannotRefresh) {
		t.Errorf("Refresh: %v, want ErrCannotRefresh", err)
	}
	out2, _ := json.Marshal(back)
	if !bytes.Equal(out, out2) {
		t.Errorf("round trip:\n%s\n%s", out, out2)
	}
}

// snapshot is everything credentials JSON carries, for comparisons.
type snapshot struct {
	Cfg     CredentialsConfig
	Tok     *Token
	Claims  map[string]any
	Invalid bool
	Scopes  []string
	Class   pyClass
}

func snap(c *Credentials) snapshot {
	return snapshot{c.Config(), c.CurrentToken(), c.IDTokenClaims(), c.Invalid(), c.Scopes(), c.class.orDefault()}
}

func FuzzCredentialsJSON(f *testing.F) {
	for _, data := range referenceCredentials(f) {
		f.Add(data)
	}
	f.Add(pyJSON(f, func(m map[string]any) { m["_class"] = "AccessTokenCredentials" }))
	f.Add(pyJSON(f, func(m map[string]any) { m["token_expiry"] = "2030-1-2T3:4:5Z"; m["scopes"] = "a b" }))
	f.Add(pyJSON(f, func(m map[string]any) { m["id_token_jwt"] = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.c2ln" }))
	f.Add([]byte(`{"access_token":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCredentialsJSON(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		c2, err := ParseCredentialsJSON(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		out2, err := json.Marshal(c2)
		if err != nil {
			t.Fatalf("re-marshal: %v", err)
		}
		// The first parse may normalize (expiry format, scopes as a string);
		// after that the value is a fixed point.
		c3, err := ParseCredentialsJSON(out2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) || !reflect.DeepEqual(snap(c2), snap(c3)) {
			t.Errorf("not a fixed point:\n%s\n%s", out, out2)
		}
		if !reflect.DeepEqual(snap(c).Cfg, snap(c2).Cfg) || snap(c).Invalid != snap(c2).Invalid {
			t.Errorf("config or invalid changed by a round trip:\n%+v\n%+v", snap(c), snap(c2))
		}
	})
}
