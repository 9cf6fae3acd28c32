package main

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
)

// unsignedIDToken is a JWS-shaped ID token with claims, for the decisions
// that read claims without verifying them.
func unsignedIDToken(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJSUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func TestVerifierChoice(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	// No network: Google's and an endpoint with a key set need none.
	if v, why := loginVerifier(ctx, oauth2client.GoogleEndpoint, "app", nil, nil); v == nil {
		t.Errorf("Google's endpoint: no verifier (%s)", why)
	}
	ep := oauth2client.Endpoint{Issuer: "https://issuer.example", TokenURL: "https://issuer.example/token", JWKSURL: "https://issuer.example/jwks"}
	if v, why := loginVerifier(ctx, ep, "app", nil, nil); v == nil {
		t.Errorf("an endpoint with a key set: no verifier (%s)", why)
	}
	if v, why := loginVerifier(ctx, oauth2client.Endpoint{TokenURL: "https://x.example/token"}, "app", nil, nil); v != nil || !strings.Contains(why, "no issuer") {
		t.Errorf("no issuer: %v, %q", v, why)
	}

	for _, tc := range []struct {
		name, tokenURI, iss string
		want                string // "" a verifier, else the reason's text
	}{
		{"Google, no ID token", "https://oauth2.googleapis.com/token", "", ""},
		{"Google's issuer", "https://oauth2.googleapis.com/token", "https://accounts.google.com", ""},
		{"Google's issuer elsewhere", "https://evil.example/token", "accounts.google.com", "not the server"},
		{"same host", "https://issuer.example/token", "https://issuer.example", ""},
		{"another host", "https://issuer.example/token", "https://evil.example", "not the server"},
		{"no issuer", "https://issuer.example/token", "", "no issuer"},
	} {
		tok := &oauth2client.Token{RefreshToken: "r"}
		if tc.iss != "" {
			tok.IDToken = unsignedIDToken(map[string]any{"iss": tc.iss, "sub": "alice", "aud": "app"})
		}
		c := oauth2client.NewCredentials(oauth2client.CredentialsConfig{ClientID: "app", TokenURI: tc.tokenURI}, tok)
		v, why := storedVerifier(c, nil, nil)
		if (v == nil) != (tc.want != "") || !strings.Contains(why, tc.want) {
			t.Errorf("%s: verifier %v, reason %q; want %q", tc.name, v, why, tc.want)
		}
	}
}
