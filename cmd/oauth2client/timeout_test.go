package main

import (
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// silentServer returns the URL of a loopback listener that accepts
// connections and never answers; they are closed when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// silentCreds returns credentials whose endpoints are all silent, holding
// an access token that expired (expired) or is valid until 2099.
func silentCreds(t *testing.T, silent string, expired bool) *oauth2client.Credentials {
	t.Helper()
	expiry := "2099-01-02T03:04:05Z"
	if expired {
		expiry = "2001-01-02T03:04:05Z"
	}
	data, _ := json.Marshal(map[string]any{
		"access_token": "ACCESS-S", "client_id": "client-s", "client_secret": "SECRET-S",
		"refresh_token": "REFRESH-S", "token_expiry": expiry, "token_uri": silent + "/token",
		"revoke_uri": silent + "/revoke", "token_info_uri": silent + "/tokeninfo",
		"user_agent": nil, "invalid": false, "scopes": []string{"api"},
		"token_response": map[string]any{"token_type": "Bearer"},
	})
	c, err := oauth2client.ParseCredentialsJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestTimeout reproduces issue 7, Why §2: every command that talks to a
// server that never answers ends after --timeout with an error saying what
// was waited for and which flag changes it (the deadlines are upper bounds
// the test waits for, not timing assertions).
func TestTimeout(t *testing.T) {
	t.Parallel()
	silent := silentServer(t)
	stalling := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // the body never comes
	}))
	t.Cleanup(stalling.Close)
	const limit = "200ms"
	for _, tc := range []struct {
		name    string
		expired bool     // the stored access token has expired
		args    []string // the store is added
		want    string   // in stderr, besides the flag
	}{
		{"request to a silent API", false, []string{"request", silent + "/api?secret=QUERY-SECRET"}, "GET " + silent + "/api?...: no response within --timeout"},
		{"request to an API that never sends the body", false, []string{"request", stalling.URL + "/api"}, "GET " + stalling.URL + "/api: reading the response: not done within --timeout"},
		{"request refreshing at a silent token endpoint", true, []string{"request", silent + "/api"}, "token refresh"},
		{"token refresh", true, []string{"token"}, "token endpoint"},
		{"header refresh", true, []string{"header"}, "token endpoint"},
		{"info asking a silent token info endpoint", false, []string{"info"}, "tokeninfo endpoint"},
		{"revoke", false, []string{"revoke"}, "revocation endpoint"},
		{"login discovery", false, []string{"login", "--issuer", silent, "--client-id", "c", "--no-browser"}, "openid-configuration"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := "file:" + saveEntries(t, map[string]*oauth2client.Credentials{"k": silentCreds(t, silent, tc.expired)})
			args := append(tc.args, "--store", st, "--timeout", limit)
			code, out, errOut := runCLI(t, t.Context(), args...)
			if code != exitFailure || (out != "" && tc.args[0] != "info") {
				t.Errorf("exit %d, stdout %q; want exit 1 and nothing", code, out)
			}
			t.Log(errOut)
			if !strings.Contains(errOut, "within --timeout "+limit) || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want it to name --timeout %s and %q", errOut, limit, tc.want)
			}
			for _, secret := range []string{"QUERY-SECRET", "SECRET-S", "REFRESH-S"} {
				if strings.Contains(errOut, secret) {
					t.Errorf("stderr shows %s: %q", secret, errOut)
				}
			}
		})
	}
}

func TestTimeoutUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"token", "--timeout", "-1s"},
		{"list", "--timeout", "-1s"},
		{"login", "--client-id", "c", "--issuer", "http://127.0.0.1:1", "--wait-timeout", "0s"},
	} {
		code, _, errOut := runCLI(t, t.Context(), args...)
		if code != exitUsage || !strings.Contains(errOut, "timeout must") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errOut)
		}
	}
}
