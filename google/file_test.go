package google

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestCredentialsFromJSONBadInput: each bad file is a *FileError naming
// the file, with its own sentinel and field, and never a secret.
func TestCredentialsFromJSONBadInput(t *testing.T) {
	t.Parallel()
	const secret = "very-secret-value"
	tests := []struct {
		name      string
		json      string
		wantIs    error
		wantField string
		wantType  string
	}{
		{name: "not JSON", json: `{"type": "authorized_user", "client_secret": "` + secret, wantIs: ErrMalformedFile},
		{name: "not an object", json: `["` + secret + `"]`, wantIs: ErrMalformedFile},
		{name: "no type", json: `{"client_secret":"` + secret + `"}`, wantIs: ErrMissingField, wantField: "type"},
		{name: "type not a string", json: `{"type":3}`, wantIs: ErrMalformedFile, wantField: "type"},
		{name: "unknown type", json: `{"type":"external_account","client_secret":"` + secret + `"}`, wantIs: ErrUnknownType, wantType: "external_account"},
		{name: "authorized_user without client_id", json: `{"type":"authorized_user","client_secret":"` + secret + `","refresh_token":"` + secret + `"}`,
			wantIs: ErrMissingField, wantField: "client_id", wantType: "authorized_user"},
		{name: "authorized_user without client_secret", json: `{"type":"authorized_user","client_id":"c","refresh_token":"` + secret + `"}`,
			wantIs: ErrMissingField, wantField: "client_secret", wantType: "authorized_user"},
		{name: "authorized_user without refresh_token", json: `{"type":"authorized_user","client_id":"c","client_secret":"` + secret + `"}`,
			wantIs: ErrMissingField, wantField: "refresh_token", wantType: "authorized_user"},
		{name: "authorized_user with an empty refresh_token", json: `{"type":"authorized_user","client_id":"c","client_secret":"` + secret + `","refresh_token":""}`,
			wantIs: ErrMissingField, wantField: "refresh_token", wantType: "authorized_user"},
		{name: "authorized_user with a numeric client_secret", json: `{"type":"authorized_user","client_id":"c","client_secret":12345,"refresh_token":"` + secret + `"}`,
			wantIs: ErrMalformedFile, wantField: "client_secret", wantType: "authorized_user"},
		{name: "authorized_user with an http token_uri", json: `{"type":"authorized_user","client_id":"c","client_secret":"` + secret + `","refresh_token":"r","token_uri":"http://example.com/token"}`,
			wantField: "token_uri", wantType: "authorized_user"},
		{name: "impersonated without source", json: `{"type":"impersonated_service_account","service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken"}`,
			wantIs: ErrMissingField, wantField: "source_credentials", wantType: "impersonated_service_account"},
		{name: "impersonated with a bad URL", json: `{"type":"impersonated_service_account","service_account_impersonation_url":"https://example.com/x","source_credentials":{}}`,
			wantIs: ErrMalformedFile, wantField: "service_account_impersonation_url", wantType: "impersonated_service_account"},
		{name: "impersonated with bad delegates", json: `{"type":"impersonated_service_account","service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken","source_credentials":{},"delegates":"x"}`,
			wantIs: ErrMalformedFile, wantField: "delegates", wantType: "impersonated_service_account"},
		{name: "impersonated with a bad source", json: `{"type":"impersonated_service_account","service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken","source_credentials":{"type":"authorized_user","client_id":"c","client_secret":"` + secret + `"}}`,
			wantIs: ErrMissingField, wantField: "refresh_token", wantType: "authorized_user"},
		{name: "oversized", json: `{"type":"` + strings.Repeat("x", MaxFileSize) + `"}`, wantIs: ErrMalformedFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := CredentialsFromJSON([]byte(tt.json), "creds.json", nil)
			var fe *FileError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *FileError", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want %v", err, tt.wantIs)
			}
			if fe.Field != tt.wantField || fe.Type != tt.wantType {
				t.Errorf("field %q type %q, want %q %q (%v)", fe.Field, fe.Type, tt.wantField, tt.wantType, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "creds.json") {
				t.Errorf("err %q does not name the file", msg)
			}
			if tt.wantType != "" && !strings.Contains(msg, tt.wantType) {
				t.Errorf("err %q does not name the type", msg)
			}
			if strings.Contains(msg, secret) {
				t.Errorf("err %q quotes a secret", msg)
			}
		})
	}
}

func TestAuthorizedUserFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	data := authorizedUserJSON(t, srv, map[string]any{"quota_project_id": "billing-project"})
	c, err := CredentialsFromJSON(data, "adc.json", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != TypeAuthorizedUser || c.File != "adc.json" || c.QuotaProject != "billing-project" || c.User() == nil {
		t.Errorf("credentials = %+v", c)
	}
	tok, err := c.Token(context.Background())
	if err != nil || !strings.HasPrefix(tok.AccessToken, "at-") {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if p, err := c.ProjectID(context.Background()); p != "" || err != nil {
		t.Errorf("ProjectID = %q, %v; want none", p, err)
	}
	if n := srv.TokenRequests("refresh_token"); n != 1 {
		t.Errorf("refresh requests = %d, want 1", n)
	}
	c2, err := CredentialsFromJSON(data, "adc.json", &Options{QuotaProject: "override"})
	if err != nil || c2.QuotaProject != "override" {
		t.Errorf("QuotaProject = %q, %v; want the Options' value", c2.QuotaProject, err)
	}
}

func TestAuthorizedUserDefaultsToGoogle(t *testing.T) {
	t.Parallel()
	c, err := CredentialsFromJSON([]byte(`{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}`), "f", nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := c.User().Config()
	if cfg.TokenURI != "https://oauth2.googleapis.com/token" || cfg.RevokeURI == "" {
		t.Errorf("config = %+v, want Google's endpoints", cfg)
	}
}

func FuzzCredentialsFromJSON(f *testing.F) {
	f.Add([]byte(`{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}`))
	f.Add([]byte(`{"type":"impersonated_service_account","service_account_impersonation_url":"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/a@b:generateAccessToken","source_credentials":{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"},"delegates":["d@e"]}`))
	f.Add([]byte(`{"type":"service_account"}`))
	f.Add([]byte(`{"type":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := CredentialsFromJSON(data, "fuzz.json", nil)
		if (c == nil) == (err == nil) {
			t.Fatalf("CredentialsFromJSON = %v, %v", c, err)
		}
		var fe *FileError
		if err != nil && !errors.As(err, &fe) {
			t.Fatalf("err %v is not a *FileError", err)
		}
	})
}
