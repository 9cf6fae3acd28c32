package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/tokenexchange"
)

func TestTokenGrantTokenExchange(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var seen []oauth2test.TokenExchangeRequest
	policy := func(r *oauth2test.TokenExchangeRequest) oauth2test.TokenExchangeDecision {
		mu.Lock()
		seen = append(seen, *r)
		mu.Unlock()
		if slices.Contains(r.Audience, "forbidden") {
			return oauth2test.TokenExchangeDecision{Deny: "invalid_target"}
		}
		return oauth2test.AllowTokenExchange(r)
	}
	tc := newTestServer(t, &oauth2test.Options{TokenExchange: policy})
	subject, _ := tc.srv.MintToken(tc.id, "alice", []string{"read", "write"}, 0)
	file := filepath.Join(t.TempDir(), "subject")
	if err := os.WriteFile(file, []byte(subject+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(tc.secret), 0o600); err != nil {
		t.Fatal(err)
	}

	out := runOK(t, "token", "--grant", "token-exchange", "--client-secrets", tc.cs, "--subject-token-file", file,
		"--audience", "api", "--resource", "https://a.example/", "--resource", "https://b.example/", "--scope", "read",
		"--requested-token-type", tokenexchange.TokenTypeAccessToken, "--format", "json")
	if !strings.Contains(out, `"token_type": "Bearer"`) || !strings.Contains(out, `"read"`) || strings.Contains(out, subject) {
		t.Errorf("output %s", out)
	}
	// --issuer and --client-id find the token endpoint by discovery.
	out = runOK(t, "token", "--grant", "token-exchange", "--issuer", tc.srv.URL, "--client-id", tc.id, "--client-secret-file", secretFile,
		"--subject-token-file", file, "--actor-token-file", file, "--actor-token-type", tokenexchange.TokenTypeJWT)
	if !strings.HasPrefix(out, "at-") || strings.Contains(out, subject) {
		t.Errorf("output %q, want a new access token", out)
	}
	mu.Lock()
	first, second := seen[0], seen[1]
	mu.Unlock()
	if first.ActorToken != "" || second.ActorToken != subject || second.ActorTokenType != tokenexchange.TokenTypeJWT {
		t.Errorf("actor tokens: %+v, then %+v", first, second)
	}
	if first.SubjectToken != subject || !slices.Equal(first.Audience, []string{"api"}) ||
		!slices.Equal(first.Resource, []string{"https://a.example/", "https://b.example/"}) || first.RequestedTokenType != tokenexchange.TokenTypeAccessToken {
		t.Errorf("server saw %+v", first)
	}

	code, _, errOut := runCLI(t, t.Context(), "token", "--grant", "token-exchange", "--client-secrets", tc.cs, "--subject-token-file", file, "--audience", "forbidden")
	if code != exitFailure || !strings.Contains(errOut, "invalid_target") || strings.Contains(errOut, subject) || strings.Contains(errOut, tc.secret) {
		t.Errorf("refused exchange: exit %d, stderr %q", code, errOut)
	}
}

func TestTokenGrantUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--grant", "nonsense"}, `--grant "nonsense"`},
		{[]string{"--subject-token-file", "f"}, "need --grant token-exchange"},
		{[]string{"--grant", "token-exchange", "--client-secrets", "cs.json"}, "needs --subject-token-file"},
		{[]string{"--grant", "token-exchange", "--subject-token-file", "f"}, "needs --client-secrets"},
		{[]string{"--grant", "token-exchange", "--subject-token-file", "f", "--client-id", "c"}, "--client-id needs --issuer"},
		{[]string{"--grant", "token-exchange", "--subject-token-file", "f", "--client-secrets", "cs.json", "--store", "file:x"}, "excludes --credentials"},
	} {
		code, _, errOut := runCLI(t, t.Context(), append([]string{"token"}, tc.args...)...)
		if code != exitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q, want usage error with %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestTokenGrantTokenExchangeServe exchanges against serve's server a
// client credentials token for one with an audience.
func TestTokenGrantTokenExchangeServe(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cs := filepath.Join(dir, "cs.json")
	issuer, _ := startServe(t, "--addr", "127.0.0.1:0", "--client-secrets-out", cs)
	client, err := oauth2client.LoadClientSecrets(cs)
	if err != nil {
		t.Fatal(err)
	}
	subject, err := oauth2client.RequestToken(t.Context(), &oauth2client.TokenRequest{
		URL: client.TokenURI, Params: url.Values{"grant_type": {"client_credentials"}, "scope": {"read"}},
		ClientID: client.ClientID, ClientSecret: client.ClientSecret,
	})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "subject")
	if err := os.WriteFile(file, []byte(subject.AccessToken), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runOK(t, "token", "--grant", "token-exchange", "--client-secrets", cs, "--subject-token-file", file, "--audience", "api")
	issued := strings.TrimSpace(out)
	if !strings.HasPrefix(issued, "at-") || issued == subject.AccessToken {
		t.Fatalf("output %q, want a new access token", out)
	}
	req, _ := http.NewRequest(http.MethodPost, issuer+oauth2test.PathIntrospect, strings.NewReader(url.Values{"token": {issued}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(client.ClientID, client.ClientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var info struct {
		Active bool     `json:"active"`
		Aud    []string `json:"aud"`
		Scope  string   `json:"scope"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if !info.Active || !slices.Equal(info.Aud, []string{"api"}) || info.Scope != "read" {
		t.Errorf("introspection of the issued token: %+v", info)
	}
}
