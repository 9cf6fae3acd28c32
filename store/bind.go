package store

import (
	"context"
	"net/http"

	"github.com/oauth2client/oauth2client"
)

// BindOptions are the run-time settings of credentials returned by [Bind].
type BindOptions struct {
	// HTTPClient makes token requests; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Cache tunes when tokens are refreshed.
	Cache oauth2client.CacheOptions
}

// config returns the run-time settings of opts (nil: none) for the entry
// key of s.
func (opts *BindOptions) config(s Store, key string) oauth2client.CredentialsConfig {
	cfg := oauth2client.CredentialsConfig{Store: s, StoreKey: key}
	if opts != nil {
		cfg.HTTPClient, cfg.Cache = opts.HTTPClient, opts.Cache
	}
	return cfg
}

// Bind loads the credentials stored under key and makes live credentials
// bound to s, so that every refresh goes through s (see package doc) and
// Revoke deletes the entry. It returns ErrNotFound when the key holds
// nothing. opts may be nil.
func Bind(ctx context.Context, s Store, key string, opts *BindOptions) (*oauth2client.Credentials, error) {
	st, err := s.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	return st.Credentials(opts.config(s, key)), nil
}

// BindCredentials returns c bound to the entry key of s, without reading
// or writing s: for credentials just obtained, after saving them. opts may
// be nil: c's HTTP client and cache options are then kept.
func BindCredentials(s Store, key string, c *oauth2client.Credentials, opts *BindOptions) *oauth2client.Credentials {
	cfg := c.Config()
	run := opts.config(s, key)
	if opts == nil {
		run.HTTPClient, run.Cache = cfg.HTTPClient, cfg.Cache
	}
	return c.State().Credentials(run)
}
