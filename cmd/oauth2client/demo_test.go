package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestDemo runs the tour and checks each step reported what it should,
// and that no whole token was printed.
func TestDemo(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"demo"}, strings.NewReader(""), &out, &errOut); code != exitOK {
		t.Fatalf("demo exited %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"code_challenge_method=S256",
		"with code, state and iss",
		"refresh token: received",
		"ID token for:  alice@example.com (signature, issuer, audience, expiry and nonce verified",
		"HTTP 200: {\"items\":[{\"accessRole\":\"owner\",\"id\":\"alice@example.com\"",
		"refresh requests at the server: 1",
		"openid email https://www.googleapis.com/auth/calendar.readonly",
		"rejects the last access token: HTTP 401",
		"invalid credentials = true",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "code=") || strings.Contains(got, "code_verifier") {
		t.Errorf("demo output shows a code or verifier:\n%s", got)
	}
}

// TestFollowToRedirectHidesState checks that a failed authorization request
// does not quote its URL, which carries the state.
func TestFollowToRedirectHidesState(t *testing.T) {
	_, err := followToRedirect("http://127.0.0.1:1/authorize?state=SECRETSTATE")
	if err == nil {
		t.Fatal("no error from a closed port")
	}
	if strings.Contains(err.Error(), "SECRETSTATE") {
		t.Errorf("error quotes the state: %v", err)
	}
}
