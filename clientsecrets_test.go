package oauth2client

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

const googleInstalledSecrets = `{"installed":{"client_id":"123-abc.apps.googleusercontent.com",
"project_id":"demo-project","auth_uri":"https://accounts.google.com/o/oauth2/auth",
"token_uri":"https://oauth2.googleapis.com/token",
"auth_provider_x509_cert_url":"https://www.googleapis.com/oauth2/v1/certs",
"client_secret":"GOCSPX-s3cr3t","redirect_uris":["http://localhost"]}}`

const webSecrets = `{"web":{"client_id":"web-client","client_secret":"web-s3cr3t",
"auth_uri":"https://auth.example.com/authorize","token_uri":"https://auth.example.com/token",
"redirect_uris":["https://app.example.com/callback","https://app.example.com/cb2"],
"revoke_uri":"https://auth.example.com/revoke","token_info_uri":"https://auth.example.com/info",
"javascript_origins":["https://app.example.com"]}}`

func TestParseClientSecrets(t *testing.T) {
	tests := []struct {
		name string
		data string
		want *ClientSecrets
	}{
		{
			name: "google installed",
			data: googleInstalledSecrets,
			want: &ClientSecrets{
				Type: "installed", ClientID: "123-abc.apps.googleusercontent.com", ClientSecret: "GOCSPX-s3cr3t",
				AuthURI: "https://accounts.google.com/o/oauth2/auth", TokenURI: "https://oauth2.googleapis.com/token",
				RedirectURIs: []string{"http://localhost"},
			},
		},
		{
			name: "web with optional fields",
			data: webSecrets,
			want: &ClientSecrets{
				Type: "web", ClientID: "web-client", ClientSecret: "web-s3cr3t",
				AuthURI: "https://auth.example.com/authorize", TokenURI: "https://auth.example.com/token",
				RedirectURIs: []string{"https://app.example.com/callback", "https://app.example.com/cb2"},
				RevokeURI:    "https://auth.example.com/revoke", TokenInfoURI: "https://auth.example.com/info",
			},
		},
		{
			name: "installed public client with empty secret",
			data: `{"installed":{"client_id":"pub","client_secret":"","auth_uri":"http://127.0.0.1:9/a",
			"token_uri":"http://127.0.0.1:9/t","redirect_uris":["urn:ietf:wg:oauth:2.0:oob","http://127.0.0.1"]}}`,
			want: &ClientSecrets{
				Type: "installed", ClientID: "pub", AuthURI: "http://127.0.0.1:9/a", TokenURI: "http://127.0.0.1:9/t",
				RedirectURIs: []string{"urn:ietf:wg:oauth:2.0:oob", "http://127.0.0.1"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseClientSecrets([]byte(tt.data), "cs.json")
			if err != nil {
				t.Fatalf("ParseClientSecrets: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestParseClientSecretsErrors(t *testing.T) {
	// base returns a valid "installed" document with field replaced by
	// value (raw JSON), or removed when value is "".
	base := func(field, value string) string {
		fields := map[string]string{
			"client_id":     `"id"`,
			"client_secret": `"s3cr3t-value"`,
			"auth_uri":      `"https://a.example/auth"`,
			"token_uri":     `"https://a.example/token"`,
			"redirect_uris": `["http://localhost"]`,
		}
		if value == "" {
			delete(fields, field)
		} else {
			fields[field] = value
		}
		var parts []string
		for k, v := range fields {
			parts = append(parts, `"`+k+`":`+v)
		}
		return `{"installed":{` + strings.Join(parts, ",") + `}}`
	}
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", `client secrets "cs.json": empty`},
		{"whitespace", " \n", `client secrets "cs.json": empty`},
		{"not json", "<html>", `client secrets "cs.json": not a JSON object`},
		{"array", `[1]`, `client secrets "cs.json": not a JSON object`},
		{"null", `null`, `client secrets "cs.json": not a JSON object`},
		{"no key", `{}`, `want exactly one top-level key`},
		{"two keys", `{"web":{},"installed":{}}`, `want exactly one top-level key`},
		{"unknown key", `{"other":{}}`, `unexpected top-level key "other"`},
		{"extra key", `{"installed":{},"x":1}`, `unexpected top-level key "x"`},
		{"type not object", `{"web":"x"}`, `"cs.json": web: not a JSON object`},
		{"missing client_id", base("client_id", ""), `"cs.json": installed.client_id: missing`},
		{"null client_id", base("client_id", "null"), `installed.client_id: missing`},
		{"empty client_id", base("client_id", `""`), `installed.client_id: empty`},
		{"number client_id", base("client_id", `12`), `installed.client_id: must be a string, not a number`},
		{"placeholder client_id", base("client_id", `"[[INSERT CLIENT ID HERE]]"`), `installed.client_id: is a placeholder`},
		{"placeholder secret", base("client_secret", `"[[INSERT CLIENT SECRET HERE]]"`), `installed.client_secret: is a placeholder`},
		{"missing secret", base("client_secret", ""), `installed.client_secret: missing`},
		{"bool secret", base("client_secret", "true"), `installed.client_secret: must be a string, not a boolean`},
		{"missing auth_uri", base("auth_uri", ""), `installed.auth_uri: missing`},
		{"relative auth_uri", base("auth_uri", `"/auth"`), `installed.auth_uri: not an absolute http(s) URL`},
		{"ftp token_uri", base("token_uri", `"ftp://x/token"`), `installed.token_uri: not an absolute http(s) URL`},
		{"missing token_uri", base("token_uri", ""), `installed.token_uri: missing`},
		{"object token_uri", base("token_uri", `{}`), `installed.token_uri: must be a string, not an object`},
		{"bad revoke_uri", base("revoke_uri", `"nope"`), `installed.revoke_uri: not an absolute http(s) URL`},
		{"array token_info_uri", base("token_info_uri", `[]`), `installed.token_info_uri: must be a string, not an array`},
		{"missing redirect_uris", base("redirect_uris", ""), `installed.redirect_uris: missing`},
		{"empty redirect_uris", base("redirect_uris", `[]`), `installed.redirect_uris: empty`},
		{"string redirect_uris", base("redirect_uris", `"http://localhost"`), `installed.redirect_uris: must be an array of strings, not a string`},
		{"number in redirect_uris", base("redirect_uris", `["http://localhost",3]`), `installed.redirect_uris: must be an array of strings`},
		{"empty redirect uri", base("redirect_uris", `["http://localhost",""]`), `installed.redirect_uris[1]: empty`},
		{"placeholder redirect uri", base("redirect_uris", `["[[REDIRECT]]"]`), `installed.redirect_uris[0]: is a placeholder`},
		{"relative redirect uri", base("redirect_uris", `["cb"]`), `installed.redirect_uris[0]: not an absolute URI`},
		{"web empty secret", `{"web":{"client_id":"id","client_secret":"","auth_uri":"https://a/x","token_uri":"https://a/t","redirect_uris":["https://a/cb"]}}`, `web.client_secret: empty`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseClientSecrets([]byte(tt.data), "cs.json")
			if err == nil {
				t.Fatal("no error")
			}
			var cse *ClientSecretsError
			if !errors.As(err, &cse) {
				t.Fatalf("error %T is not a *ClientSecretsError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, `oauth2client: client secrets "cs.json": `) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q does not contain %q", msg, tt.want)
			}
			if strings.Contains(msg, "s3cr3t") {
				t.Errorf("error %q quotes the secret", msg)
			}
		})
	}
}

func TestLoadClientSecrets(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "client_secrets.json")
	if err := os.WriteFile(good, []byte(webSecrets), 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, []byte(`{"web":{"x":"`+strings.Repeat("a", maxClientSecretsSize)+`"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cs, err := LoadClientSecrets(good)
	if err != nil || cs.ClientID != "web-client" {
		t.Fatalf("LoadClientSecrets = %+v, %v", cs, err)
	}
	missing := filepath.Join(dir, "missing.json")
	_, err = LoadClientSecrets(missing)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), `"`+missing+`"`) {
		t.Errorf("missing file: %v", err)
	}
	if strings.Count(err.Error(), missing) != 1 {
		t.Errorf("missing file: path repeated in %q", err)
	}
	if _, err := LoadClientSecrets(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
	if _, err := ReadClientSecrets(iotest.ErrReader(errors.New("boom")), "stdin"); err == nil ||
		err.Error() != `oauth2client: client secrets "stdin": cannot read: boom` {
		t.Errorf("read error: %v", err)
	}
}

func TestClientSecretsConfig(t *testing.T) {
	cs, err := ParseClientSecrets([]byte(googleInstalledSecrets), "g.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg := cs.Config("", "openid", "email")
	if cfg.RedirectURL != "http://localhost" || cfg.ClientID != cs.ClientID || cfg.ClientSecret != cs.ClientSecret {
		t.Errorf("Config = %+v", cfg)
	}
	e := cfg.Endpoint
	if e.Issuer != GoogleEndpoint.Issuer || e.AuthURL != cs.AuthURI || e.TokenURL != cs.TokenURI ||
		e.RevocationURL != GoogleEndpoint.RevocationURL || e.TokenInfoURL != GoogleEndpoint.TokenInfoURL {
		t.Errorf("Google endpoint = %+v", e)
	}
	if _, err := NewFlow(cfg); err != nil {
		t.Errorf("NewFlow: %v", err)
	}

	web, err := ParseClientSecrets([]byte(webSecrets), "w.json")
	if err != nil {
		t.Fatal(err)
	}
	cfg = web.Config("https://app.example.com/cb2")
	want := Endpoint{AuthURL: web.AuthURI, TokenURL: web.TokenURI, RevocationURL: web.RevokeURI, TokenInfoURL: web.TokenInfoURI}
	if !reflect.DeepEqual(cfg.Endpoint, want) || cfg.RedirectURL != "https://app.example.com/cb2" || cfg.Scopes != nil {
		t.Errorf("web Config = %+v", cfg)
	}
}

func FuzzParseClientSecrets(f *testing.F) {
	for _, s := range []string{googleInstalledSecrets, webSecrets, `{}`, `{"web":null}`, `{"installed":{"redirect_uris":[null]}}`, `[`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cs, err := ParseClientSecrets(data, "fuzz.json")
		if err != nil {
			if cs != nil {
				t.Fatal("result and error")
			}
			if !strings.HasPrefix(err.Error(), `oauth2client: client secrets "fuzz.json": `) {
				t.Fatalf("error %q lacks the prefix", err)
			}
			return
		}
		if cs.ClientID == "" || cs.TokenURI == "" || cs.AuthURI == "" || len(cs.RedirectURIs) == 0 ||
			(cs.Type != ClientTypeWeb && cs.Type != ClientTypeInstalled) {
			t.Fatalf("accepted incomplete secrets %+v", cs)
		}
		_ = cs.Config("")
	})
}
