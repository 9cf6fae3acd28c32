package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
)

func TestRequest(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if r.URL.Path == "/fail" {
			w.WriteHeader(http.StatusForbidden)
		}
		fmt.Fprintf(w, "%s %s auth=%q x=%q ct=%q body=%q", r.Method, r.URL.Path, r.Header.Get("Authorization"), r.Header.Get("X-Test"), r.Header.Get("Content-Type"), body)
	}))
	t.Cleanup(srv.Close)
	c := fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2099-01-02T03:04:05Z", []string{"api"}, false)
	path := saveEntries(t, map[string]*oauth2client.Credentials{"k": c})
	bodyFile := filepath.Join(t.TempDir(), "body.json")
	if err := os.WriteFile(bodyFile, []byte(`{"a":1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	st := []string{"--store", "file:" + path}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"get", []string{srv.URL + "/x"}, 0, `GET /x auth="Bearer ACCESS-A" x="" ct="" body=""`},
		{"flags after URL", []string{"DELETE", srv.URL + "/x", "-H", "X-Test: yes"}, 0, `DELETE /x auth="Bearer ACCESS-A" x="yes"`},
		{"data makes a POST", []string{srv.URL + "/x", "-d", "a=b"}, 0, `POST /x auth="Bearer ACCESS-A" x="" ct="application/x-www-form-urlencoded" body="a=b"`},
		{"data from file", []string{"PUT", srv.URL + "/x", "-d", "@" + bodyFile, "-H", "Content-Type: application/json"}, 0, `PUT /x auth="Bearer ACCESS-A" x="" ct="application/json" body="{\"a\":1}"`},
		{"data-file", []string{"PATCH", srv.URL + "/x", "--data-file", bodyFile}, 0, `body="{\"a\":1}"`},
		{"http error", []string{srv.URL + "/fail"}, exitFailure, `GET /fail`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, t.Context(), append(append([]string{"request"}, st...), tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout with %q", code, out, errOut, tc.code, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no URL", nil, "missing URL"},
		{"relative URL", []string{"/x"}, "want an absolute http or https URL"},
		{"bad header", []string{srv.URL, "-H", "nocolon"}, "want 'NAME: VALUE'"},
		{"two bodies", []string{srv.URL, "-d", "x", "--data-file", bodyFile}, "exclude each other"},
		{"too many arguments", []string{"GET", srv.URL, "more"}, `unexpected argument "more"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, t.Context(), append(append([]string{"request"}, st...), tc.args...)...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tc.want)
			}
		})
	}
}

// Issue 7 item 7: request sends no bearer token to a non-loopback http://
// URL; the error names the flag that allows it and holds no token.
func TestRequestRefusesPlainHTTP(t *testing.T) {
	c := fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2099-01-02T03:04:05Z", []string{"api"}, false)
	path := saveEntries(t, map[string]*oauth2client.Credentials{"k": c})
	code, out, errOut := runCLI(t, t.Context(), "request", "--store", "file:"+path, "http://api.example.invalid/v1/me?key=SECRET-Q")
	if code != exitFailure || out != "" {
		t.Fatalf("exit %d, stdout %q; want exit 1 and no output", code, out)
	}
	if !strings.Contains(errOut, "--insecure-allow-http") || !strings.Contains(errOut, "plain http") {
		t.Errorf("stderr %q; want it to explain the refusal and name --insecure-allow-http", errOut)
	}
	for _, secret := range []string{"ACCESS-A", "REFRESH-A", "SECRET-Q"} {
		if strings.Contains(errOut, secret) {
			t.Errorf("stderr holds %q: %s", secret, errOut)
		}
	}
}
