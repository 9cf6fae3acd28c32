package main

import (
	"context"
	"fmt"
	"os"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/serviceaccount"
)

// serviceAccount returns in-memory token source for the service account
// key file at path (read as data): the JWT-bearer grant, as --subject
// says, or self-signed JWTs for --audience.
func (f *credFlags) serviceAccount(path string, data []byte) (*loaded, error) {
	key, err := serviceaccount.ParseJSONKey(data)
	if err != nil {
		return nil, fmt.Errorf("--credentials %s: %w", path, err)
	}
	return f.serviceAccountKey(path, key)
}

// p12Env is the environment variable holding the password of a P12 key;
// unset means Google's, serviceaccount.DefaultP12Password.
const p12Env = "OAUTH2CLIENT_P12_PASSWORD"

// p12ServiceAccount returns an in-memory token source for the service
// account --service-account-email whose P12 key file is at path, with the
// token endpoint --token-uri (default Google's) and the password in
// $OAUTH2CLIENT_P12_PASSWORD (default Google's, "notasecret").
func (f *credFlags) p12ServiceAccount(path string) (*loaded, error) {
	key, err := serviceaccount.ReadP12File(path, &serviceaccount.P12Options{
		Email:    f.saEmail,
		Password: os.Getenv(p12Env),
		TokenURI: f.tokenURI,
	})
	if err != nil {
		return nil, fmt.Errorf("--credentials: %w", err)
	}
	return f.serviceAccountKey(path, key)
}

// serviceAccountKey returns an in-memory token source for key, read from
// path.
func (f *credFlags) serviceAccountKey(path string, key *serviceaccount.Key) (*loaded, error) {
	cfg := &serviceaccount.Config{
		Scopes:     f.scopes.sorted(),
		Subject:    f.subject,
		Audience:   f.audience,
		HTTPClient: f.httpClient(),
		Cache:      f.cache(),
	}
	cfg.Logger, _ = f.logger() // checked by check
	newSource, how := serviceaccount.NewTokenSource, "service account "+key.Email()
	if f.audience != "" {
		newSource, how = serviceaccount.NewJWTAccessSource, how+", self-signed JWT"
	}
	src, err := newSource(key, cfg)
	if err != nil {
		return nil, fmt.Errorf("--credentials %s: %w", path, err)
	}
	return &loaded{source: src, scopesAsked: cfg.Scopes, from: "file " + path + " (" + how + ")", serviceAccount: true}, nil
}

// pythonServiceAccount returns an in-memory token source for Python
// oauth2client's ServiceAccountCredentials JSON at path (read as data):
// its scopes, subject and token unless --scope or --subject say otherwise.
func (f *credFlags) pythonServiceAccount(path string, data []byte) (*loaded, error) {
	if f.audience != "" {
		return nil, usagef("--audience needs a service account's JSON key file, and %s holds Python credentials", path)
	}
	pc, err := serviceaccount.ParsePythonJSON(data)
	if err != nil {
		return nil, fmt.Errorf("--credentials %s: %w", path, err)
	}
	if len(f.scopes) > 0 || f.subject != "" {
		pc.Token = nil // issued for other scopes or another user
	}
	if len(f.scopes) > 0 {
		pc.Scopes = f.scopes.sorted()
	}
	if f.subject != "" {
		pc.Subject = f.subject
	}
	cfg := &serviceaccount.Config{HTTPClient: f.httpClient(), Cache: f.cache()}
	cfg.Logger, _ = f.logger() // checked by check
	src, err := pc.TokenSource(cfg)
	if err != nil {
		return nil, fmt.Errorf("--credentials %s: %w", path, err)
	}
	return &loaded{source: src, scopesAsked: pc.Scopes, from: "file " + path + " (Python service account " + pc.Key.Email() + ")", serviceAccount: true}, nil
}

// tokens returns where the command's tokens come from.
func (l *loaded) tokens() oauth2client.TokenSource {
	if l.creds != nil {
		return l.creds
	}
	return l.source
}

// scopes returns the scopes of the command's credentials.
func (l *loaded) scopes() []string {
	if l.creds != nil {
		return l.creds.Scopes()
	}
	return l.scopesAsked
}

// needStored fails for commands that work on stored credentials (info,
// revoke) given a service account key, which holds no token.
func (l *loaded) needStored(command string) error {
	if l.creds == nil {
		return fmt.Errorf("%s: a service account key holds no stored token for %s; 'oauth2client token --credentials' gets one", l.from, command)
	}
	return nil
}

// loadUser loads the credentials the flags name for command, which needs a
// user's stored credentials (a refresh token, a revocation endpoint): the
// report of a failure is made here, and ok is false then. The caller
// closes l.
func (e *env) loadUser(ctx context.Context, c *command, cf *credFlags) (l *loaded, code int, ok bool) {
	l, err := cf.load(ctx)
	if err != nil {
		return nil, e.report(c, err), false
	}
	if err := l.needStored(c.name); err != nil {
		l.Close()
		return nil, e.fail(c, err), false
	}
	return l, 0, true
}
