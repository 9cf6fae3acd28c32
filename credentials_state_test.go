package oauth2client

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// receive makes c take t as its cache's refresh would: tell c, then hold t.
func (c *Credentials) receive(t *Token) {
	c.setToken(t)
	c.cache.cur.Store(c.cache.newEntry(t, time.Now()))
}

func TestCredentialsStateRoundTrip(t *testing.T) {
	t.Parallel()
	expiry := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		name string
		st   *CredentialsState
	}{
		{"zero", &CredentialsState{}},
		{"full", &CredentialsState{
			ClientID: "cid", ClientSecret: "cs", TokenURI: "https://as.example/token",
			RevokeURI: "https://as.example/revoke", TokenInfoURI: "https://as.example/ti",
			IntrospectionURI: "https://as.example/in", AuthStyle: AuthStylePost, UserAgent: "ua",
			Scopes:  []string{"a", "b"},
			Token:   &Token{AccessToken: "at", RefreshToken: "rt", Expiry: expiry, Raw: map[string]any{"token_type": "Bearer"}, TokenType: "Bearer"},
			Invalid: true, IDTokenClaims: map[string]any{"sub": "x"},
			PythonClass: classGoogle, PythonModule: "oauth2client.client",
			Extensions: map[string]json.RawMessage{"dpop": json.RawMessage(`{"kty":"EC"}`), "cert": json.RawMessage(`"ref"`)},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tc.st)
			if err != nil {
				t.Fatal(err)
			}
			// The state and live credentials made from it write the same JSON.
			cb, err := json.Marshal(tc.st.Credentials(CredentialsConfig{}))
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != string(cb) {
				t.Errorf("state JSON\n%s\ncredentials JSON\n%s", b, cb)
			}
			var back CredentialsState
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			again, err := json.Marshal(&back)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(b) {
				t.Errorf("round trip changed the JSON:\n%s\n%s", b, again)
			}
			if !reflect.DeepEqual(back.Extensions, tc.st.Extensions) && len(tc.st.Extensions) > 0 {
				t.Errorf("extensions %v, want %v", back.Extensions, tc.st.Extensions)
			}
			if len(tc.st.Extensions) == 0 && strings.Contains(string(b), "extensions") {
				t.Errorf("JSON names extensions without any: %s", b)
			}
		})
	}
}

func TestCredentialsStateIsACopy(t *testing.T) {
	t.Parallel()
	st := &CredentialsState{ClientID: "cid", Scopes: []string{"a"}, Token: &Token{AccessToken: "at", Raw: map[string]any{"k": "v"}},
		Extensions: map[string]json.RawMessage{"x": json.RawMessage(`1`)}}
	c := st.Credentials(CredentialsConfig{ClientID: "ignored", StoreKey: "k"})
	st.Token.AccessToken, st.Scopes[0], st.Extensions["x"][0] = "changed", "changed", '2'
	got := c.State()
	if got.Token.AccessToken != "at" || got.Scopes[0] != "a" || string(got.Extensions["x"]) != "1" || got.ClientID != "cid" {
		t.Fatalf("live credentials share the state they were made from: %+v", got)
	}
	got.Token.AccessToken, got.Extensions["x"] = "changed", nil
	if c.CurrentToken().AccessToken != "at" || string(c.State().Extensions["x"]) != "1" {
		t.Error("State shares the live credentials' token or extensions")
	}
	if c.Config().StoreKey != "k" {
		t.Error("run-time settings not taken")
	}
}

func TestCredentialsStateExtensionsErrors(t *testing.T) {
	t.Parallel()
	for _, v := range []string{`[]`, `"x"`, `1`} {
		_, err := ParseCredentialsJSON(pyJSON(t, func(m map[string]any) { m["extensions"] = json.RawMessage(v) }))
		if err == nil || !strings.Contains(err.Error(), `"extensions"`) {
			t.Errorf("extensions %s: error %v, want one naming the field", v, err)
		}
	}
}

func TestCredentialsHoldTheirTokenOnce(t *testing.T) {
	t.Parallel()
	c := NewCredentials(CredentialsConfig{}, &Token{AccessToken: "at"})
	c.receive(&Token{AccessToken: "at2"})
	if c.CurrentToken().AccessToken != "at2" || c.State().Token.AccessToken != "at2" {
		t.Errorf("CurrentToken %q after a new token, want at2", c.CurrentToken().AccessToken)
	}
	c.markRevoked()
	if tok := c.CurrentToken(); tok.AccessToken != "" {
		t.Errorf("revoked credentials show access token %q", tok.AccessToken)
	}
}
