// Package spec opens a credential store named by a URL-like spec, the one
// syntax the command line and library users share:
//
//	file:PATH            a credentials file (file.OpenAuto: one credential
//	                     as Python's file.Storage writes it, or many)
//	file:///ABS/PATH     the same, as a URL
//	keyring:SERVICE      the OS password manager, items under SERVICE
//	sqlite:PATH          an SQLite database (embedded)
//	postgres://...       a PostgreSQL database (also postgresql://)
//
// The empty spec is [Default]: a many-credential file in the user's config
// folder.
package spec

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/file"
	"github.com/oauth2client/oauth2client/store/keyring"
	"github.com/oauth2client/oauth2client/store/sqlstore"
	"github.com/oauth2client/oauth2client/store/sqlstore/postgres"
	"github.com/oauth2client/oauth2client/store/sqlstore/sqlite"
)

// Kind is the kind of store a spec names.
type Kind string

// The kinds of store.
const (
	File     Kind = "file"
	Keyring  Kind = "keyring"
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// Spec is a parsed store spec.
type Spec struct {
	// Kind is the kind of store.
	Kind Kind
	// Target is the path (file, sqlite), the service (keyring) or the
	// connection URL (postgres).
	Target string
}

// String returns the spec in its canonical form, with any password in a
// PostgreSQL URL replaced by "xxxxx": safe to print.
func (s Spec) String() string {
	if s.Kind == Postgres {
		if u, err := url.Parse(s.Target); err == nil {
			return u.Redacted()
		}
		return "postgres://(unparsable URL)"
	}
	return string(s.Kind) + ":" + s.Target
}

// Default returns the spec of the default store: the file
// oauth2client/credentials.json in the user's config folder
// ([os.UserConfigDir]).
func Default() (Spec, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return Spec{}, fmt.Errorf("spec: default store: %w", err)
	}
	return Spec{Kind: File, Target: filepath.Join(dir, "oauth2client", "credentials.json")}, nil
}

// Parse parses a store spec; the empty spec is [Default]. Its errors never
// quote a PostgreSQL URL, which may hold a password.
func Parse(spec string) (Spec, error) {
	if spec == "" {
		return Default()
	}
	scheme, rest, ok := strings.Cut(spec, ":")
	if !ok {
		return Spec{}, fmt.Errorf("spec: store %q has no kind: want file:PATH, keyring:SERVICE, sqlite:PATH or postgres://HOST/DB", spec)
	}
	switch strings.ToLower(scheme) {
	case "file":
		if strings.HasPrefix(rest, "//") {
			u, err := url.Parse(spec)
			if err != nil || (u.Host != "" && u.Host != "localhost") {
				return Spec{}, fmt.Errorf("spec: store %q: want file:PATH or file:///ABSOLUTE/PATH", spec)
			}
			rest = u.Path
		}
		if rest == "" {
			return Spec{}, errors.New("spec: store file: needs a path, as in file:creds.json")
		}
		return Spec{Kind: File, Target: rest}, nil
	case "keyring":
		if rest == "" {
			return Spec{}, errors.New("spec: store keyring: needs a service name, as in keyring:my-app")
		}
		return Spec{Kind: Keyring, Target: rest}, nil
	case "sqlite":
		rest = strings.TrimPrefix(rest, "//")
		if rest == "" {
			return Spec{}, errors.New("spec: store sqlite: needs a path, as in sqlite:creds.db")
		}
		return Spec{Kind: SQLite, Target: rest}, nil
	case "postgres", "postgresql":
		u, err := url.Parse(spec)
		if err != nil {
			return Spec{}, errors.New("spec: store postgres: not a valid URL (postgres://USER:PASSWORD@HOST:PORT/DB)")
		}
		if u.Host == "" && u.Query().Get("host") == "" {
			return Spec{}, fmt.Errorf("spec: store %s: needs a host, as in postgres://user@127.0.0.1:5432/db", u.Redacted())
		}
		return Spec{Kind: Postgres, Target: spec}, nil
	}
	return Spec{}, fmt.Errorf("spec: unknown store kind %q: want file, keyring, sqlite or postgres", scheme)
}

// Open parses spec and opens the store it names. The folder of a file or
// SQLite store is created (mode 0700) when missing.
func Open(ctx context.Context, spec string) (store.Store, error) {
	s, err := Parse(spec)
	if err != nil {
		return nil, err
	}
	return s.Open(ctx, nil)
}

// OpenOptions tune [Spec.Open].
type OpenOptions struct {
	// MustExist opens a file or SQLite store only when its file exists,
	// creating nothing (no folder, no database, no lock file): a missing
	// one gives an error wrapping [io/fs.ErrNotExist], which means that
	// nothing is stored. Commands that only read what is stored (or
	// refresh it) use it, so that asking an empty store leaves no trace.
	// Keyring and PostgreSQL stores are opened as usual.
	MustExist bool
	// Logger, when set, is given to the store for its debug records (lock
	// and lease waits); nil means silent.
	Logger *slog.Logger
}

// Open opens the store s names. Unless opts.MustExist, the folder of a
// file or SQLite store is created (mode 0700) when missing. opts may be
// nil.
func (s Spec) Open(ctx context.Context, opts *OpenOptions) (store.Store, error) {
	if opts != nil && opts.MustExist && (s.Kind == File || s.Kind == SQLite) {
		// Lstat: a symbolic link exists, and the store refuses it.
		if _, err := os.Lstat(s.Target); err != nil {
			return nil, fmt.Errorf("spec: store %s: %w", s, err)
		}
		return s.open(ctx, opts.Logger)
	}
	var logger *slog.Logger
	if opts != nil {
		logger = opts.Logger
	}
	switch s.Kind {
	case File, SQLite:
		if err := os.MkdirAll(filepath.Dir(s.Target), 0o700); err != nil {
			return nil, fmt.Errorf("spec: store %s: %w", s, err)
		}
	}
	return s.open(ctx, logger)
}

// open opens the store s names, with logger (nil: silent); its folder
// exists.
func (s Spec) open(ctx context.Context, logger *slog.Logger) (store.Store, error) {
	switch s.Kind {
	case File:
		return file.OpenAuto(ctx, s.Target, &file.Options{Logger: logger})
	case Keyring:
		return keyring.New(s.Target, &keyring.Options{Logger: logger})
	case SQLite:
		return sqlite.Open(ctx, s.Target, &sqlstore.Options{Logger: logger})
	case Postgres:
		return postgres.Open(ctx, s.Target, &sqlstore.Options{Logger: logger})
	}
	return nil, fmt.Errorf("spec: unknown store kind %q", s.Kind)
}
