package store

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	_ "github.com/oauth2client/oauth2client/dpop" // restores DPoP keys kept with stored credentials
)

// BindOptions are the run-time settings of credentials returned by [Bind]:
// the fields of [oauth2client.CredentialsConfig] that are not stored. Their
// zero values are the defaults.
type BindOptions struct {
	// HTTPClient makes token, revocation and introspection requests; nil
	// means the library's default client with timeouts.
	HTTPClient *http.Client
	// Cache tunes when tokens are refreshed.
	Cache oauth2client.CacheOptions
	// ClientAuth authenticates the client; nil means the TLS client
	// certificate the entry names, if it names one (see
	// [clientauth.RestoreTLSClientAuth]), else the stored auth style with
	// the stored client secret.
	ClientAuth oauth2client.ClientAuth
	// ProofBinder binds token requests to a key. A DPoP key stored with
	// the entry wins over a *dpop.Prover given here (the entry's tokens
	// are bound to it), which then serves only entries without one; nil
	// means the stored key, if any, else bearer tokens. See
	// [oauth2client.CredentialsConfig].ProofBinder.
	ProofBinder oauth2client.ProofBinder
	// Retry tunes the retries of token requests.
	Retry oauth2client.RetryOptions
	// Logger receives debug records of refreshes, requests and retries,
	// never a secret; nil means silent.
	Logger *slog.Logger
}

// config returns the run-time settings of opts (nil: none) for the entry
// key of s.
func (opts *BindOptions) config(s Store, key string) oauth2client.CredentialsConfig {
	cfg := oauth2client.CredentialsConfig{Store: s, StoreKey: key}
	if opts != nil {
		cfg.HTTPClient, cfg.Cache, cfg.Logger = opts.HTTPClient, opts.Cache, opts.Logger
		cfg.ClientAuth, cfg.ProofBinder, cfg.Retry = opts.ClientAuth, opts.ProofBinder, opts.Retry
	}
	return cfg
}

// Bind loads the credentials stored under key and makes live credentials
// bound to s, so that every refresh goes through s (see package doc) and
// Revoke deletes the entry. It returns ErrNotFound when the key holds
// nothing. opts may be nil. Credentials whose DPoP key (kept with them,
// see package dpop) is missing or corrupt are an error wrapping
// [oauth2client.ErrNoProofKey] that names the entry. Credentials bound to
// a TLS client certificate (RFC 8705) present it again, read from the
// files or PEM the entry names, unless opts gives a ClientAuth; a
// certificate that is gone, expired or another is an error naming the
// entry and the file.
func Bind(ctx context.Context, s Store, key string, opts *BindOptions) (*oauth2client.Credentials, error) {
	st, err := s.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	cfg := opts.config(s, key)
	if cfg.ClientAuth == nil {
		ca, err := clientauth.RestoreTLSClientAuth(st)
		if err != nil {
			return nil, fmt.Errorf("store: entry %q: %w", key, err)
		}
		if ca != nil {
			cfg.ClientAuth = ca
		}
	}
	c := st.Credentials(cfg)
	if err := c.CheckProofKey(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return c, nil
}

// BindCredentials returns c bound to the entry key of s, without reading
// or writing s: for credentials just obtained, after saving them. opts may
// be nil: c's run-time settings are then kept.
func BindCredentials(s Store, key string, c *oauth2client.Credentials, opts *BindOptions) *oauth2client.Credentials {
	run := opts.config(s, key)
	if opts == nil {
		run = c.Config()
		run.Store, run.StoreKey = s, key
	}
	return c.State().Credentials(run)
}
