package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// The tests of Application Default Credentials set environment variables
// with t.Setenv, so none of them is parallel.

// adcEnv gives the CLI an empty home and config folder (so an empty default
// store and no gcloud file) and no ADC variables.
func adcEnv(t *testing.T) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("AppData", t.TempDir())
	t.Setenv("CLOUDSDK_CONFIG", t.TempDir())
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	t.Setenv("NO_GCE_CHECK", "true")
}

func TestTokenADCAuthorizedUser(t *testing.T) {
	adcEnv(t)
	srv := oauth2test.NewServer(&oauth2test.Options{Clients: []oauth2test.Client{{ID: "adc-client", Secret: "adc-secret"}}})
	defer srv.Close()
	_, rt := srv.MintToken("adc-client", "alice", []string{"openid"}, 0)
	data, _ := json.Marshal(map[string]string{
		"type": "authorized_user", "client_id": "adc-client", "client_secret": "adc-secret",
		"refresh_token": rt, "token_uri": srv.URL + oauth2test.PathToken,
	})
	path := filepath.Join(t.TempDir(), "authorized_user.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
	code, out, errOut := runCLI(t, t.Context(), "token", "--scope", "openid")
	if code != exitOK || !strings.HasPrefix(out, "at-") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := srv.TokenRequests("refresh_token"); n != 1 {
		t.Errorf("refresh requests = %d, want 1", n)
	}
}

func TestTokenADCMetadata(t *testing.T) {
	adcEnv(t)
	srv := oauth2test.NewServer(&oauth2test.Options{Metadata: true})
	defer srv.Close()
	t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(srv.URL, "http://"))
	t.Setenv("NO_GCE_CHECK", "")
	code, out, errOut := runCLI(t, t.Context(), "token", "--format", "json", "--scope", "openid")
	if code != exitOK {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var tok struct {
		AccessToken string   `json:"access_token"`
		Scopes      []string `json:"scopes"`
	}
	if err := json.Unmarshal([]byte(out), &tok); err != nil || !strings.HasPrefix(tok.AccessToken, "at-") || len(tok.Scopes) != 1 {
		t.Errorf("stdout %q: %v", out, err)
	}
	if n := srv.Requests(oauth2test.PathMetadataToken); n != 1 {
		t.Errorf("metadata token requests = %d, want 1", n)
	}
}

func TestTokenADCNothing(t *testing.T) {
	adcEnv(t)
	code, out, errOut := runCLI(t, t.Context(), "token")
	if code != exitFailure || out != "" || !strings.Contains(errOut, "is empty: run 'oauth2client login' first") ||
		!strings.Contains(errOut, "tried, in order") || !strings.Contains(errOut, "NO_GCE_CHECK") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestTokenADCUnknownType(t *testing.T) {
	adcEnv(t)
	path := filepath.Join(t.TempDir(), "x.json")
	if err := os.WriteFile(path, []byte(`{"type":"external_account"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", path)
	code, _, errOut := runCLI(t, t.Context(), "token")
	if code != exitFailure || !strings.Contains(errOut, "external_account") || !strings.Contains(errOut, path) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestServeMetadataToken: serve --metadata, then token through
// GCE_METADATA_HOST with no credential flags.
func TestServeMetadataToken(t *testing.T) {
	adcEnv(t)
	issuer, stop := startServe(t, "--addr", "127.0.0.1:0", "--metadata")
	t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(issuer, "http://"))
	t.Setenv("NO_GCE_CHECK", "")
	code, out, errOut := runCLI(t, t.Context(), "token", "--scope", "openid")
	if code != exitOK || !strings.HasPrefix(out, "at-") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, body := getBody(t, issuer+"/metrics")
	if !strings.Contains(body, oauth2test.PathMetadataToken+`",code="200"} 1`) {
		t.Errorf("metrics lack one metadata token request:\n%s", body)
	}
	if code, errOut := stop(); code != 0 || !strings.Contains(errOut, "GCE_METADATA_HOST=") {
		t.Errorf("serve: exit %d, stderr %q", code, errOut)
	}
}

func TestTokenImpersonate(t *testing.T) {
	adcEnv(t)
	srv := oauth2test.NewServer(&oauth2test.Options{Metadata: true})
	defer srv.Close()
	t.Setenv("GCE_METADATA_HOST", strings.TrimPrefix(srv.URL, "http://"))
	t.Setenv("NO_GCE_CHECK", "")
	const sa = "target@proj.iam.gserviceaccount.com"
	code, out, errOut := runCLI(t, t.Context(), "token", "--impersonate-service-account", sa, "--iam-base-url", srv.URL, "--scope", "openid")
	if code != exitOK || !strings.HasPrefix(out, "at-") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := srv.Requests(oauth2test.PathIAMGenerateAccessToken); n != 1 {
		t.Errorf("generateAccessToken calls = %d, want 1", n)
	}
	code, _, errOut = runCLI(t, t.Context(), "token", "--impersonate-service-account", sa, "--iam-base-url", "http://example.com")
	if code != exitUsage || !strings.Contains(errOut, "BaseURL") {
		t.Errorf("plain http IAM URL: exit %d, stderr %q", code, errOut)
	}
}

// TestServiceAccountADCEndToEnd: serve --service-account-out sa.json, then
// GOOGLE_APPLICATION_CREDENTIALS=sa.json token --scope openid with no
// credential flags prints a token after exactly one jwt-bearer request.
func TestServiceAccountADCEndToEnd(t *testing.T) {
	adcEnv(t)
	sa := filepath.Join(t.TempDir(), "sa.json")
	issuer, _ := startServe(t, "--addr", "127.0.0.1:0", "--service-account-out", sa)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", sa)
	code, out, errOut := runCLI(t, t.Context(), "token", "--scope", "openid")
	if code != exitOK || strings.TrimSpace(out) == "" {
		t.Fatalf("token: exit %d, stdout %q, stderr %s", code, out, errOut)
	}
	if n := jwtBearerCount(t, issuer); n != "1" {
		t.Errorf("/metrics counts %s jwt-bearer requests, want 1", n)
	}
	_, body := getBody(t, issuer+oauth2test.PathTokenInfo+"?access_token="+strings.TrimSpace(out))
	if !strings.Contains(body, serveServiceAccount) || !strings.Contains(body, `"scope":"openid"`) {
		t.Errorf("tokeninfo %s", body)
	}
}

func TestTokenCredentialsImpersonatedFile(t *testing.T) {
	t.Parallel()
	srv := oauth2test.NewServer(&oauth2test.Options{Clients: []oauth2test.Client{{ID: "imp-client", Secret: "imp-secret"}}})
	defer srv.Close()
	_, rt := srv.MintToken("imp-client", "alice", []string{"openid"}, 0)
	const sa = "target@proj.iam.gserviceaccount.com"
	data, _ := json.Marshal(map[string]any{
		"type":                              "impersonated_service_account",
		"service_account_impersonation_url": srv.URL + "/v1/projects/-/serviceAccounts/" + sa + ":generateAccessToken",
		"source_credentials": map[string]string{
			"type": "authorized_user", "client_id": "imp-client", "client_secret": "imp-secret",
			"refresh_token": rt, "token_uri": srv.URL + oauth2test.PathToken,
		},
	})
	path := filepath.Join(t.TempDir(), "imp.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, t.Context(), "token", "--credentials", path, "--scope", "openid")
	if code != exitOK || !strings.HasPrefix(out, "at-") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if n := srv.Requests(oauth2test.PathIAMGenerateAccessToken); n != 1 {
		t.Errorf("generateAccessToken calls = %d, want 1", n)
	}
	_, body := getBody(t, srv.URL+oauth2test.PathTokenInfo+"?access_token="+strings.TrimSpace(out))
	if !strings.Contains(body, sa) {
		t.Errorf("tokeninfo %s, want the impersonated account", body)
	}
}
