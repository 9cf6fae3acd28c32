package google

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/serviceaccount"
)

// Environment variables read by [FindDefault].
const (
	// EnvCredentials names a credentials file, looked at first.
	EnvCredentials = "GOOGLE_APPLICATION_CREDENTIALS"
	// EnvCloudSDKConfig overrides gcloud's configuration folder.
	EnvCloudSDKConfig = "CLOUDSDK_CONFIG"
	// EnvQuotaProject sets the quota project when Options names none.
	EnvQuotaProject = "GOOGLE_CLOUD_QUOTA_PROJECT"
	// EnvProject overrides the project id of any credentials.
	EnvProject = "GOOGLE_CLOUD_PROJECT"
)

// CloudPlatformScope is the scope of most Google Cloud APIs.
const CloudPlatformScope = "https://www.googleapis.com/auth/cloud-platform"

// wellKnownFile is the name of gcloud's application default credentials.
const wellKnownFile = "application_default_credentials.json"

// Source says where Application Default Credentials were found.
type Source string

// The sources, in the order FindDefault looks at them.
const (
	SourceEnv           Source = "GOOGLE_APPLICATION_CREDENTIALS"
	SourceWellKnownFile Source = "gcloud well-known file"
	SourceMetadata      Source = "metadata server"
)

// Options configure [FindDefault] and [CredentialsFromFile]. A nil
// *Options is the zero value. They are copied.
type Options struct {
	// Scopes are asked for the tokens. Files of type authorized_user keep
	// the scopes granted at login whatever is asked.
	Scopes []string
	// QuotaProject, when set, overrides $GOOGLE_CLOUD_QUOTA_PROJECT and
	// the file's quota_project_id.
	QuotaProject string
	// HTTPClient sends every request; nil means this module's default
	// client, with timeouts.
	HTTPClient *http.Client
	// Logger receives debug records (never a secret); nil means none.
	Logger *slog.Logger
	// Cache tunes the token caches, e.g. Foreground for command-line
	// programs.
	Cache oauth2client.CacheOptions
}

// clone returns a copy of o (the zero value for nil).
func (o *Options) clone() Options {
	if o == nil {
		return Options{}
	}
	c := *o
	c.Scopes = slices.Clone(o.Scopes)
	return c
}

// Credentials are Application Default Credentials: a token source and what
// is known of where it came from. Credentials are a
// [oauth2client.TokenSource] safe for concurrent use.
type Credentials struct {
	// TokenSource supplies the access tokens.
	TokenSource oauth2client.TokenSource
	// Source is where the credentials were found ("" when read with
	// CredentialsFromFile).
	Source Source
	// Type is the file's type, or TypeMetadata.
	Type string
	// File is the credentials file, "" for the metadata server.
	File string
	// QuotaProject is the project billed for the requests, if any; see
	// [Credentials.Client].
	QuotaProject string

	projectID    string // from the file, if it has one
	meta         *MetadataClient
	user         *oauth2client.Credentials
	impersonated *Impersonated
	key          *serviceaccount.Key
	opts         Options // as given, for IDTokenSource
}

// Token returns an access token from TokenSource.
func (c *Credentials) Token(ctx context.Context) (*oauth2client.Token, error) {
	return c.TokenSource.Token(ctx)
}

// ProjectID returns the project of the credentials: $GOOGLE_CLOUD_PROJECT
// when set (as google-auth), else where the source has one the key file's
// project_id or the metadata server's project; "" when the source has none
// (authorized_user and impersonated_service_account files).
func (c *Credentials) ProjectID(ctx context.Context) (string, error) {
	if p := os.Getenv(EnvProject); p != "" {
		return p, nil
	}
	if c.meta != nil {
		return c.meta.ProjectID(ctx)
	}
	return c.projectID, nil
}

// User returns the user credentials of an authorized_user file (for
// revocation, scopes, storing); nil for other types.
func (c *Credentials) User() *oauth2client.Credentials { return c.user }

// Metadata returns the metadata client of credentials from the metadata
// server (email, scopes, ID tokens); nil for other types.
func (c *Credentials) Metadata() *MetadataClient { return c.meta }

// Impersonated returns the impersonated credentials of an
// impersonated_service_account file (ID tokens); nil for other types.
func (c *Credentials) Impersonated() *Impersonated { return c.impersonated }

// Client returns an HTTP client that authorizes its requests with the
// credentials' tokens and, when QuotaProject is set, sends it as
// x-goog-user-project. base, which may be nil, is copied.
func (c *Credentials) Client(base *http.Client) *http.Client {
	hc := oauth2client.NewClient(c.TokenSource, base)
	if c.QuotaProject != "" {
		hc.Transport = quotaTransport{project: c.QuotaProject, base: hc.Transport}
	}
	return hc
}

// quotaTransport adds x-goog-user-project to each request.
type quotaTransport struct {
	project string
	base    http.RoundTripper
}

// RoundTrip sends a copy of r with the header.
func (t quotaTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r2 := r.Clone(r.Context())
	r2.Header.Set("X-Goog-User-Project", t.project)
	return t.base.RoundTrip(r2)
}

// FindDefault finds Application Default Credentials in the order of
// Python oauth2client and google-auth:
//
//  1. the file $GOOGLE_APPLICATION_CREDENTIALS names, when set (a missing
//     or bad file there is an error, not a reason to look further);
//  2. gcloud's well-known file, $CLOUDSDK_CONFIG/application_default_credentials.json,
//     else ~/.config/gcloud/application_default_credentials.json
//     (%APPDATA%\gcloud\... on Windows), when it exists;
//  3. the GCE metadata server at $GCE_METADATA_HOST or 169.254.169.254,
//     when a short probe finds it (skipped when $NO_GCE_CHECK is "true").
//
// When nothing is found the error is a [*NotFoundError] (matching
// [ErrNoCredentials]) saying what was tried, in order. Only the probe is
// a request; tokens are fetched by the first Token call.
func FindDefault(ctx context.Context, opts *Options) (*Credentials, error) {
	o := opts.clone()
	if o.QuotaProject == "" {
		o.QuotaProject = os.Getenv(EnvQuotaProject)
	}
	var tried []string

	if path := os.Getenv(EnvCredentials); path != "" {
		c, err := CredentialsFromFile(path, &o)
		if err != nil {
			return nil, fmt.Errorf("%w (named by $%s)", err, EnvCredentials)
		}
		c.Source = SourceEnv
		return c, nil
	}
	tried = append(tried, "$"+EnvCredentials+": unset")

	if path, err := WellKnownFile(); err != nil {
		tried = append(tried, "gcloud well-known file: "+err.Error())
	} else if _, err := os.Stat(path); err == nil {
		c, err := CredentialsFromFile(path, &o)
		if err != nil {
			return nil, err
		}
		c.Source = SourceWellKnownFile
		return c, nil
	} else if errors.Is(err, fs.ErrNotExist) {
		tried = append(tried, "gcloud well-known file: missing at "+path)
	} else {
		tried = append(tried, "gcloud well-known file "+path+": "+err.Error())
	}

	if strings.EqualFold(os.Getenv(EnvNoGCECheck), "true") {
		tried = append(tried, "metadata server: skipped ($"+EnvNoGCECheck+"="+os.Getenv(EnvNoGCECheck)+")")
		return nil, &NotFoundError{Tried: tried}
	}
	m := NewMetadataClient(&MetadataOptions{Scopes: o.Scopes, HTTPClient: o.HTTPClient, Logger: o.Logger, Cache: o.Cache})
	if err := m.Probe(ctx); err != nil {
		tried = append(tried, "metadata server: not reachable at "+m.Host()+" ("+probeReason(err)+")")
		return nil, &NotFoundError{Tried: tried}
	}
	return &Credentials{TokenSource: m, Source: SourceMetadata, Type: TypeMetadata,
		QuotaProject: o.QuotaProject, meta: m, opts: o}, nil
}

// probeReason shortens a probe's error for the list of what was tried.
func probeReason(err error) string {
	var me *MetadataError
	if errors.As(err, &me) {
		switch {
		case errors.Is(err, ErrMissingMetadataFlavor):
			return "something answered, without Metadata-Flavor: Google"
		case me.StatusCode != 0:
			return fmt.Sprintf("status %d", me.StatusCode)
		case errors.Is(err, context.DeadlineExceeded):
			return "no answer in time"
		case me.Err != nil:
			return me.Err.Error()
		}
	}
	return err.Error()
}

// WellKnownFile returns the path of gcloud's application default
// credentials: in $CLOUDSDK_CONFIG when set, else under %APPDATA%\gcloud
// on Windows or ~/.config/gcloud elsewhere.
func WellKnownFile() (string, error) {
	if dir := os.Getenv(EnvCloudSDKConfig); dir != "" {
		return filepath.Join(dir, wellKnownFile), nil
	}
	if runtime.GOOS == "windows" {
		dir := os.Getenv("APPDATA")
		if dir == "" {
			return "", errors.New("%APPDATA% is unset")
		}
		return filepath.Join(dir, "gcloud", wellKnownFile), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".config", "gcloud", wellKnownFile), nil
}
