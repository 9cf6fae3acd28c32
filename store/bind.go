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

// Bind loads the credentials stored under key and binds them to s, so that
// every refresh runs inside s.Update (see package doc) and Revoke deletes
// the entry. It returns ErrNotFound when the key holds nothing. opts may be
// nil.
func Bind(ctx context.Context, s Store, key string, opts *BindOptions) (*oauth2client.Credentials, error) {
	c, err := s.Load(ctx, key)
	if err != nil {
		return nil, err
	}
	return BindCredentials(s, key, c, opts), nil
}

// BindCredentials returns c bound to the entry key of s, without reading
// or writing s: for credentials just obtained, after saving them. opts may
// be nil.
func BindCredentials(s Store, key string, c *oauth2client.Credentials, opts *BindOptions) *oauth2client.Credentials {
	cfg := c.Config()
	cfg.Store, cfg.StoreKey = s, key
	if opts != nil {
		cfg.HTTPClient, cfg.Cache = opts.HTTPClient, opts.Cache
	}
	return c.WithConfig(cfg)
}
