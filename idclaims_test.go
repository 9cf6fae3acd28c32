package oauth2client

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
)

// fakeJWT returns an unsigned-looking compact JWS carrying claims.
func fakeJWT(t testing.TB, claims map[string]any) string {
	t.Helper()
	b, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc(b) + "." + enc([]byte("signature"))
}

func TestIDTokenClaims(t *testing.T) {
	jwt := fakeJWT(t, map[string]any{"sub": "alice", "email": "a@example.com", "amr": []string{"pwd"}})
	cases := []struct {
		name string
		tok  *Token
		want map[string]any
	}{
		{"none", &Token{AccessToken: "at"}, nil},
		{"nil token", nil, nil},
		{"jwt", &Token{IDToken: jwt}, map[string]any{"sub": "alice", "email": "a@example.com", "amr": []any{"pwd"}}},
		{"padded payload", &Token{IDToken: "e30." + base64.URLEncoding.EncodeToString([]byte(`{"a":1}`)) + ".c2ln"},
			map[string]any{"a": json.Number("1")}},
		{"two parts", &Token{IDToken: "a.b"}, nil},
		{"bad base64", &Token{IDToken: "a.!!.c"}, nil},
		{"not an object", &Token{IDToken: "a." + base64.RawURLEncoding.EncodeToString([]byte(`[1]`)) + ".c"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCredentials(CredentialsConfig{}, tc.tok)
			got := c.IDTokenClaims()
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("IDTokenClaims() = %#v, want %#v", got, tc.want)
			}
			if got != nil { // a copy: changing it changes nothing
				got["sub"] = "mallory"
				if amr, ok := got["amr"].([]any); ok {
					amr[0] = "x"
				}
				if again := c.IDTokenClaims(); !reflect.DeepEqual(again, tc.want) {
					t.Errorf("claims changed through the returned map: %v", again)
				}
			}
		})
	}
}

func TestIDTokenClaimsFollowNewToken(t *testing.T) {
	c, err := ParseCredentialsJSON(pyJSON(t, func(m map[string]any) { m["id_token"] = map[string]any{"sub": "old"} }))
	if err != nil {
		t.Fatal(err)
	}
	if c.IDTokenClaims()["sub"] != "old" {
		t.Fatalf("stored claims not kept: %v", c.IDTokenClaims())
	}
	c.receive(&Token{AccessToken: "new", IDToken: fakeJWT(t, map[string]any{"sub": "new"})})
	if c.IDTokenClaims()["sub"] != "new" {
		t.Errorf("claims after refresh = %v", c.IDTokenClaims())
	}
	c.receive(&Token{AccessToken: "newer"})
	if c.IDTokenClaims() != nil {
		t.Errorf("claims after a refresh without ID token = %v, want nil (as oauth2client)", c.IDTokenClaims())
	}
}
