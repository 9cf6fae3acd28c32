package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/oauth2client/oauth2client"
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

// loadADC returns Application Default Credentials (see google.FindDefault)
// with the command's scopes, timeouts and logger.
func (f *credFlags) loadADC(ctx context.Context) (*loaded, error) {
	log, _ := f.logger() // checked by check
	c, err := google.FindDefault(ctx, &google.Options{
		Scopes:     f.scopes.sorted(),
		HTTPClient: f.httpClient(),
		Logger:     log,
		Cache:      f.cache(),
	})
	if err != nil {
		return nil, err
	}
	from := fmt.Sprintf("application default credentials (%s, %s)", c.Source, c.Type)
	if c.File != "" {
		from = fmt.Sprintf("application default credentials (%s, file %s, %s)", c.Source, c.File, c.Type)
	}
	return &loaded{creds: c.User(), src: c, from: from}, nil
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

// tokenSource returns the source of the loaded credentials' tokens.
func (l *loaded) tokenSource() oauth2client.TokenSource {
	if l.src != nil {
		return l.src
	}
	return l.creds
}

// scopes returns the scopes of the loaded credentials, when known.
func (l *loaded) scopes() []string {
	if l.creds != nil {
		return l.creds.Scopes()
	}
	return nil
}
