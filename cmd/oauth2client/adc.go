package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/oauth2client/oauth2client/google"
)

// errEmptyStore reports a store with nothing in it (or none at all).
var errEmptyStore = errors.New("is empty: run 'oauth2client login' first")

// noCredentialFlags reports whether no flag names where credentials come
// from.
func (f *credFlags) noCredentialFlags() bool {
	return f.clientSecrets == "" && f.issuer == "" && f.clientID == "" &&
		f.credentials == "" && f.store == "" && f.key == ""
}

// wantsADC reports whether, with no credential flags, the command should
// use Application Default Credentials before the default store: only when
// $GOOGLE_APPLICATION_CREDENTIALS names a file explicitly. Otherwise ADC
// is the fallback for an empty default store.
func (f *credFlags) wantsADC() bool {
	return f.adc && f.noCredentialFlags() && os.Getenv(google.EnvCredentials) != ""
}

// adcOptions are the google.Options of the command: its scopes (or, for
// the source of --impersonate-service-account, cloud-platform: the source
// calls the IAM Credentials API), timeouts and logger.
func (f *credFlags) adcOptions() *google.Options {
	log, _ := f.logger() // checked by check
	scopes := f.scopes.sorted()
	if f.impersonate != "" {
		scopes = []string{google.CloudPlatformScope}
	}
	return &google.Options{Scopes: scopes, HTTPClient: f.httpClient(), Logger: log, Cache: f.cache()}
}

// googleLoaded returns the loaded form of credentials from package google.
func googleLoaded(c *google.Credentials, o *google.Options, from string) *loaded {
	return &loaded{creds: c.User(), source: c, scopesAsked: o.Scopes, from: from}
}

// loadADC returns Application Default Credentials (see google.FindDefault).
func (f *credFlags) loadADC(ctx context.Context) (*loaded, error) {
	o := f.adcOptions()
	c, err := google.FindDefault(ctx, o)
	if err != nil {
		return nil, err
	}
	from := fmt.Sprintf("application default credentials (%s, %s)", c.Source, c.Type)
	if c.File != "" {
		from = fmt.Sprintf("application default credentials (%s, file %s, %s)", c.Source, c.File, c.Type)
	}
	return googleLoaded(c, o, from), nil
}

// googleFile returns the credentials of --credentials FILE of the types
// package google reads: authorized_user (refreshed in memory) and
// impersonated_service_account.
func (f *credFlags) googleFile(path string, data []byte) (*loaded, error) {
	o := f.adcOptions()
	c, err := google.CredentialsFromJSON(data, path, o)
	if err != nil {
		return nil, fmt.Errorf("--credentials: %w", err)
	}
	return googleLoaded(c, o, fmt.Sprintf("file %s (%s)", path, c.Type)), nil
}

// orADC is the fallback of a command with no credential flags whose
// default store is empty: Application Default Credentials, else both
// reasons.
func (f *credFlags) orADC(ctx context.Context, storeErr error) (*loaded, error) {
	if !f.adc || !f.noCredentialFlags() || !errors.Is(storeErr, errEmptyStore) {
		return nil, storeErr
	}
	l, err := f.loadADC(ctx)
	if errors.Is(err, google.ErrNoCredentials) {
		return nil, fmt.Errorf("%w; and no application default credentials: %w", storeErr, err)
	}
	return l, err
}

// registerImpersonation adds --impersonate-service-account and
// --iam-base-url to fs.
func (f *credFlags) registerImpersonation(fs *flag.FlagSet) {
	fs.StringVar(&f.impersonate, "impersonate-service-account", "", "use the credentials to impersonate the service account `EMAIL` (IAM Credentials API generateAccessToken), with --scope or cloud-platform")
	fs.StringVar(&f.iamBaseURL, "iam-base-url", google.DefaultIAMBaseURL, "the IAM Credentials API's base `URL`, for --impersonate-service-account")
}

// impersonated wraps the loaded credentials' tokens in impersonation of
// --impersonate-service-account, when given.
func (f *credFlags) impersonated(l *loaded) error {
	if f.impersonate == "" {
		return nil
	}
	scopes := f.scopes.sorted()
	if len(scopes) == 0 {
		scopes = []string{google.CloudPlatformScope}
	}
	log, _ := f.logger() // checked by check
	imp, err := google.Impersonate(l.tokens(), &google.ImpersonateOptions{
		TargetPrincipal: f.impersonate,
		Scopes:          scopes,
		BaseURL:         f.iamBaseURL,
		HTTPClient:      f.httpClient(),
		Logger:          log,
		Cache:           f.cache(),
	})
	if err != nil {
		return usageErr{err}
	}
	l.source, l.creds, l.scopesAsked = imp, nil, scopes
	l.from = fmt.Sprintf("%s, impersonating %s", l.from, f.impersonate)
	return nil
}
