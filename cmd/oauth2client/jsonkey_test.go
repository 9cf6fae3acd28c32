package main

import (
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
)

// TestTokenJSONKeyAnyOrder: a --key given as a JSON object finds the entry
// whatever its key order and spacing (Python multistore dict keys).
func TestTokenJSONKeyAnyOrder(t *testing.T) {
	a := fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2099-01-02T03:04:05Z", []string{"openid", "email"}, false)
	b := fixedCreds(t, "client-b", "ACCESS-B", "REFRESH-B", "2099-01-02T03:04:05Z", []string{"api"}, false)
	spec := "file:" + saveEntries(t, map[string]*oauth2client.Credentials{
		store.ClassicKey("client-a", "my-agent/1.0", []string{"openid", "email"}): a,
		"plain": b,
	})
	for _, key := range []string{
		store.ClassicKey("client-a", "my-agent/1.0", []string{"openid", "email"}),
		`{"userAgent": "my-agent/1.0", "scope": "openid email", "clientId": "client-a"}`,
		"{\n  \"scope\":\"openid email\",\"clientId\":\"client-a\",\"userAgent\":\"my-agent/1.0\"}",
	} {
		if got := runOK(t, "token", "--store", spec, "--key", key); got != "ACCESS-A\n" {
			t.Errorf("--key %s: stdout %q", key, got)
		}
	}
	if got := runOK(t, "token", "--store", spec, "--key", `{"key": "plain"}`); got != "ACCESS-B\n" {
		t.Errorf(`--key {"key": "plain"}: stdout %q`, got)
	}
}

// TestTokenUserAgentKey: --user-agent makes the derived key of a Python
// multistore entry written with a user agent.
func TestTokenUserAgentKey(t *testing.T) {
	a := fixedCreds(t, "client-a", "ACCESS-A", "REFRESH-A", "2099-01-02T03:04:05Z", []string{"openid", "email"}, false)
	b := fixedCreds(t, "client-a", "ACCESS-B", "REFRESH-B", "2099-01-02T03:04:05Z", []string{"openid", "email"}, false)
	spec := "file:" + saveEntries(t, map[string]*oauth2client.Credentials{
		store.ClassicKey("client-a", "my-agent/1.0", []string{"email", "openid"}): a,
		store.ClassicKey("client-a", "", []string{"email", "openid"}):             b,
	})
	base := []string{"token", "--store", spec, "--client-id", "client-a", "--scope", "openid email"}
	if got := runOK(t, append(base, "--user-agent", "my-agent/1.0")...); got != "ACCESS-A\n" {
		t.Errorf("with --user-agent: stdout %q", got)
	}
	if got := runOK(t, base...); got != "ACCESS-B\n" {
		t.Errorf("without --user-agent: stdout %q", got)
	}
}

func TestCanonicalKey(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"work":                  "work",
		`{"b": 1.50, "a": "x"}`: `{"a":"x","b":1.50}`,
		`{"key": "k"}`:          "k",
		`{"a": 1} trailing`:     `{"a": 1} trailing`,
		`{not json`:             `{not json`,
	} {
		if got := canonicalKey(in); got != want {
			t.Errorf("canonicalKey(%q) = %q, want %q", in, got, want)
		}
	}
}
