package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// TestErrorTextForPeople: failures read "oauth2client COMMAND: ..." with
// no package prefix repeated after it, and invalid credentials say how to
// get new ones.
func TestErrorTextForPeople(t *testing.T) {
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token": 5}`))
	}))
	defer garbage.Close()
	invalid := fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2000-01-02T03:04:05Z", []string{"openid"}, true)
	malformed := withField(t, fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2000-01-02T03:04:05Z", []string{"openid"}, false), "token_uri", garbage.URL)
	spec := "file:" + saveEntries(t, map[string]*oauth2client.Credentials{"invalid": invalid, "malformed": malformed})

	for _, tc := range []struct {
		key  string
		want []string
	}{
		{"invalid", []string{"key invalid: credentials are invalid", "run 'oauth2client login'"}},
		{"malformed", []string{"key malformed: token endpoint: malformed response: "}},
	} {
		t.Run(tc.key, func(t *testing.T) {
			code, _, errOut := runCLI(t, t.Context(), "token", "--store", spec, "--key", tc.key)
			if code != exitFailure {
				t.Errorf("exit %d, want %d", code, exitFailure)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q lacks %q", errOut, w)
				}
			}
			for _, doubled := range []string{": oauth2client: ", "tools: oauth2client: "} {
				if strings.Contains(errOut, doubled) {
					t.Errorf("stderr %q repeats a prefix (%q)", errOut, doubled)
				}
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{oauth2client.ErrMalformedResponse, "malformed response"},
		{&oauth2client.Error{Endpoint: "token", Err: oauth2client.ErrMalformedResponse}, "token endpoint: malformed response"},
		{wrapf("tools: %w", oauth2client.ErrAccessDenied), "access_denied"},
		{wrapf("tools: save credentials under %q: %w", "k", oauth2client.ErrStateMismatch), `save credentials under "k": state mismatch`},
	} {
		if got := errorText(tc.err); got != tc.want {
			t.Errorf("errorText(%q) = %q, want %q", tc.err, got, tc.want)
		}
	}
}

func wrapf(format string, args ...any) error { return fmt.Errorf(format, args...) }

// withField returns c with the credentials JSON field key set to value.
func withField(t *testing.T, c *oauth2client.Credentials, key string, value any) *oauth2client.Credentials {
	t.Helper()
	var m map[string]any
	data, _ := json.Marshal(c.State())
	json.Unmarshal(data, &m)
	m[key] = value
	data, _ = json.Marshal(m)
	out, err := oauth2client.ParseCredentialsJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
