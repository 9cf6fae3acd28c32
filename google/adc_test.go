package google

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// The tests of FindDefault set environment variables with t.Setenv, so
// none of them is parallel.

// isolate clears the environment FindDefault reads: no credentials file,
// an empty gcloud folder, and a metadata host where nothing listens.
func isolate(t *testing.T) (gcloudDir string) {
	t.Helper()
	gcloudDir = t.TempDir()
	t.Setenv(EnvCredentials, "")
	t.Setenv(EnvCloudSDKConfig, gcloudDir)
	t.Setenv(EnvMetadataHost, closedAddr(t))
	t.Setenv(EnvNoGCECheck, "")
	t.Setenv(EnvQuotaProject, "")
	return gcloudDir
}

func TestFindDefaultOrder(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	tests := []struct {
		name       string
		env, file  bool // a file in $GOOGLE_APPLICATION_CREDENTIALS, in the gcloud folder
		metadata   bool
		wantSource Source
	}{
		{name: "env var first", env: true, file: true, metadata: true, wantSource: SourceEnv},
		{name: "then the gcloud file", file: true, metadata: true, wantSource: SourceWellKnownFile},
		{name: "then the metadata server", metadata: true, wantSource: SourceMetadata},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			if tt.env {
				t.Setenv(EnvCredentials, writeFile(t, t.TempDir(), "env.json", authorizedUserJSON(t, srv, nil)))
			}
			if tt.file {
				writeFile(t, dir, "application_default_credentials.json", authorizedUserJSON(t, srv, nil))
			}
			if tt.metadata {
				t.Setenv(EnvMetadataHost, hostOf(srv.URL))
			}
			c, err := FindDefault(ctx, nil)
			if err != nil {
				t.Fatal(err)
			}
			if c.Source != tt.wantSource {
				t.Errorf("Source = %q, want %q", c.Source, tt.wantSource)
			}
			if tok, err := c.Token(ctx); err != nil || !strings.HasPrefix(tok.AccessToken, "at-") {
				t.Errorf("Token = %+v, %v", tok, err)
			}
		})
	}
}

func TestFindDefaultMetadata(t *testing.T) {
	srv := newServer(t)
	isolate(t)
	t.Setenv(EnvMetadataHost, hostOf(srv.URL))
	t.Setenv(EnvQuotaProject, "quota-from-env")
	ctx := context.Background()
	c, err := FindDefault(ctx, &Options{Scopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != TypeMetadata || c.Metadata() == nil || c.QuotaProject != "quota-from-env" || c.File != "" {
		t.Errorf("credentials = %+v", c)
	}
	if p, err := c.ProjectID(ctx); err != nil || p != oauth2test.MetadataProjectID {
		t.Errorf("ProjectID = %q, %v", p, err)
	}
	tok, err := c.Token(ctx)
	if err != nil || len(tok.Scopes) != 1 {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
}

func TestFindDefaultNothing(t *testing.T) {
	tests := []struct {
		name      string
		noGCE     string
		wantTried []string
	}{
		{name: "metadata unreachable", wantTried: []string{"$GOOGLE_APPLICATION_CREDENTIALS: unset",
			"gcloud well-known file: missing at ", "metadata server: not reachable at 127.0.0.1:"}},
		{name: "NO_GCE_CHECK", noGCE: "True", wantTried: []string{"$GOOGLE_APPLICATION_CREDENTIALS: unset",
			"gcloud well-known file: missing at ", "metadata server: skipped ($NO_GCE_CHECK=True)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := isolate(t)
			t.Setenv(EnvNoGCECheck, tt.noGCE)
			_, err := FindDefault(context.Background(), nil)
			var nf *NotFoundError
			if !errors.As(err, &nf) || !errors.Is(err, ErrNoCredentials) {
				t.Fatalf("err = %v, want a *NotFoundError", err)
			}
			if len(nf.Tried) != len(tt.wantTried) {
				t.Fatalf("tried %q", nf.Tried)
			}
			for i, w := range tt.wantTried {
				if !strings.HasPrefix(nf.Tried[i], w) {
					t.Errorf("tried[%d] = %q, want %q...", i, nf.Tried[i], w)
				}
			}
			if !strings.Contains(err.Error(), filepath.Join(dir, "application_default_credentials.json")) {
				t.Errorf("err %q does not name the gcloud file", err)
			}
		})
	}
}

func TestFindDefaultMetadataWithoutFlavor(t *testing.T) {
	isolate(t)
	srv := oauth2test.NewServer(&oauth2test.Options{SigningKey: testKey()}) // no metadata: no Metadata-Flavor
	defer srv.Close()
	t.Setenv(EnvMetadataHost, hostOf(srv.URL))
	_, err := FindDefault(context.Background(), nil)
	if !errors.Is(err, ErrNoCredentials) || !strings.Contains(err.Error(), "without Metadata-Flavor") {
		t.Errorf("err = %v", err)
	}
}

func TestFindDefaultBadEnvFile(t *testing.T) {
	isolate(t)
	missing := filepath.Join(t.TempDir(), "missing.json")
	t.Setenv(EnvCredentials, missing)
	_, err := FindDefault(context.Background(), nil)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), EnvCredentials) {
		t.Errorf("err = %v, want a *FileError for a missing file naming the variable", err)
	}
	unknown := writeFile(t, t.TempDir(), "x.json", []byte(`{"type":"external_account"}`))
	t.Setenv(EnvCredentials, unknown)
	_, err = FindDefault(context.Background(), nil)
	if !errors.Is(err, ErrUnknownType) || !strings.Contains(err.Error(), unknown) || !strings.Contains(err.Error(), "external_account") {
		t.Errorf("err = %v, want ErrUnknownType naming the type and the file", err)
	}
}

func TestWellKnownFile(t *testing.T) {
	t.Setenv(EnvCloudSDKConfig, "/cfg")
	if p, err := WellKnownFile(); err != nil || p != filepath.Join("/cfg", "application_default_credentials.json") {
		t.Errorf("WellKnownFile = %q, %v", p, err)
	}
	t.Setenv(EnvCloudSDKConfig, "")
	t.Setenv("HOME", "/home/u")
	if p, err := WellKnownFile(); err != nil || p != "/home/u/.config/gcloud/application_default_credentials.json" {
		t.Errorf("WellKnownFile = %q, %v", p, err)
	}
}

func TestQuotaProjectHeader(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	c, err := CredentialsFromJSON(authorizedUserJSON(t, srv, map[string]any{"quota_project_id": "bill-me"}), "f", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Client(nil).Get(srv.URL + oauth2test.PathUserInfo)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Request.Header.Get("X-Goog-User-Project") != "bill-me" {
		t.Errorf("status %d, header %q", resp.StatusCode, resp.Request.Header.Get("X-Goog-User-Project"))
	}
}

func TestProjectIDFromEnv(t *testing.T) {
	t.Setenv(EnvProject, "env-project")
	c, err := CredentialsFromJSON([]byte(`{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}`), "f", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := c.ProjectID(context.Background()); p != "env-project" || err != nil {
		t.Errorf("ProjectID = %q, %v", p, err)
	}
}
