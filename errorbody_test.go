package oauth2client

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRedactBody(t *testing.T) {
	t.Parallel()
	const form = "application/x-www-form-urlencoded"
	tests := []struct {
		name, contentType, body string
		want                    string // "" means nil
	}{
		{"token response", "application/json",
			`{"access_token":"A","refresh_token":"R","id_token":"I","token_type":"Bearer","expires_in":"soon"}`,
			`{"access_token":"[redacted]","expires_in":"soon","id_token":"[redacted]","refresh_token":"[redacted]","token_type":"Bearer"}`},
		{"any _token, camelCase, nested, non-string", "",
			`{"issued_token":{"v":"X"},"accessToken":7,"a":[{"Device-Code":"D"}],"n":1.50}`,
			`{"a":[{"Device-Code":"[redacted]"}],"accessToken":"[redacted]","issued_token":"[redacted]","n":1.50}`},
		{"echoed request secrets", "", `{"client_secret":"S","code":"C","code_verifier":"V","password":"P","error":"e"}`,
			`{"client_secret":"[redacted]","code":"[redacted]","code_verifier":"[redacted]","error":"e","password":"[redacted]"}`},
		{"form", form, "access_token=A&expires_in=soon&refresh_token=R",
			"access_token=%5Bredacted%5D&expires_in=soon&refresh_token=%5Bredacted%5D"},
		{"error JSON kept", "application/json", `{"error":"invalid_grant","error_description":"<b>"}`,
			`{"error":"invalid_grant","error_description":"<b>"}`},
		{"HTML without secrets kept", "text/html", "<html>Service Unavailable</html>", "<html>Service Unavailable</html>"},
		{"HTML echoing a form dropped", "text/html", "<td>refresh_token</td><td>R</td>", ""},
		{"JSON with trailing data dropped", "application/json", `{"access_token":"A"} {}`, ""},
		{"form as text/html dropped", "text/html", "access_token=A&x=1", ""},
		{"empty", "application/json", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := redactBody(tt.contentType, []byte(tt.body))
			if tt.want == "" && got != nil || string(got) != tt.want {
				t.Errorf("redactBody = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRedactBodyClips(t *testing.T) {
	t.Parallel()
	body := `{"access_token":"A","pad":"` + strings.Repeat("x", 2*maxErrorBody) + `"}`
	got := redactBody("application/json", []byte(body))
	if len(got) != maxErrorBody || !strings.HasPrefix(string(got), `{"access_token":"[redacted]"`) {
		t.Errorf("redactBody kept %d bytes: %.40q", len(got), got)
	}
}

// FuzzRedactBody: whatever the body, what is kept is at most maxErrorBody
// bytes, and a kept JSON body has "[redacted]" for every secret field.
func FuzzRedactBody(f *testing.F) {
	f.Add("application/json", []byte(`{"access_token":"A","x":[{"refresh_token":{"a":1}}]}`))
	f.Add("application/x-www-form-urlencoded", []byte("access_token=A&expires_in=soon"))
	f.Add("text/html", []byte("<html>token</html>"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		got := redactBody(contentType, body)
		if len(got) > maxErrorBody {
			t.Fatalf("kept %d bytes", len(got))
		}
		if !json.Valid(body) || !json.Valid(got) {
			return
		}
		var v any
		if err := json.Unmarshal(got, &v); err != nil {
			t.Fatal(err)
		}
		checkRedacted(t, v)
	})
}

// checkRedacted fails t if a secret field of v, a decoded JSON value, holds
// anything but "[redacted]".
func checkRedacted(t *testing.T, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if secretField(k) && x != redacted {
				t.Fatalf("field %q kept %v", k, x)
			}
			checkRedacted(t, x)
		}
	case []any:
		for _, x := range v {
			checkRedacted(t, x)
		}
	}
}
