package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// TestInfoScopeCheckRefused: when only the server-side scope check fails
// (the introspection endpoint refuses the client), info prints what it
// knows, says why the server could not be asked, and exits 0.
func TestInfoScopeCheckRefused(t *testing.T) {
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error":"invalid_client","error_description":"client authentication failed"}`))
	}))
	defer refusing.Close()
	c := withField(t, fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2099-01-02T03:04:05Z", []string{"openid", "email"}, false),
		"introspection_uri", refusing.URL)
	spec := "file:" + saveEntries(t, map[string]*oauth2client.Credentials{"work": c})

	code, out, errOut := runCLI(t, t.Context(), "info", "--store", spec, "--key", "work")
	if code != exitOK {
		t.Errorf("exit %d, want %d; stderr %q", code, exitOK, errOut)
	}
	for _, want := range []string{
		"scopes:         openid email\n",
		"server says:    (could not ask: introspection endpoint: invalid_client",
		"status:         valid\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, "ACCESS-A") || strings.Contains(out+errOut, "REFRESH-A") {
		t.Errorf("a token is shown:\n%s%s", out, errOut)
	}
}
