package google

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/serviceaccount"
)

// IDTokenSource returns a source of Google-signed ID tokens of the
// credentials' service account for audience, whatever the source of the
// credentials:
//
//   - service_account files: the JWT-bearer grant with a
//     "target_audience" claim ([serviceaccount.NewIDTokenSource]);
//   - the metadata server: its identity endpoint
//     ([MetadataClient.IDTokenSource]);
//   - impersonated_service_account files: the IAM Credentials API's
//     generateIdToken ([Impersonated.IDTokenSource]).
//
// Each Token's AccessToken and IDToken are the ID token and its Expiry the
// token's exp, so [oauth2client.NewClient] can send it as a bearer token
// to services that accept ID tokens. Tokens are cached: one request per
// token lifetime. It makes no request itself. authorized_user
// credentials give an error wrapping [ErrNoIDTokens].
func (c *Credentials) IDTokenSource(audience string) (*oauth2client.CachedSource, error) {
	switch {
	case c.key != nil:
		src, err := serviceaccount.NewIDTokenSource(c.key, audience, &serviceaccount.Config{
			HTTPClient: c.opts.HTTPClient,
			Logger:     c.opts.Logger,
			Cache:      c.opts.Cache,
		})
		if err != nil {
			return nil, fmt.Errorf("google: IDTokenSource: %w", err)
		}
		return src, nil
	case c.meta != nil:
		return c.meta.IDTokenSource(audience)
	case c.impersonated != nil:
		return c.impersonated.IDTokenSource(audience)
	}
	return nil, fmt.Errorf("google: IDTokenSource: %w (type %s)", ErrNoIDTokens, c.Type)
}

// IDTokenSource returns a source of the account's ID tokens for audience
// (with the full set of claims), cached until shortly before their exp;
// see [Credentials.IDTokenSource].
func (m *MetadataClient) IDTokenSource(audience string) (*oauth2client.CachedSource, error) {
	if audience == "" {
		return nil, errors.New("google: IDTokenSource: empty audience")
	}
	return idTokenCache(m.opts.Cache, m.opts.Logger, func(ctx context.Context) (string, error) {
		return m.IDToken(ctx, audience)
	}), nil
}

// IDTokenSource returns a source of the target principal's ID tokens for
// audience, with its email claim, cached until shortly before their exp;
// see [Credentials.IDTokenSource].
func (i *Impersonated) IDTokenSource(audience string) (*oauth2client.CachedSource, error) {
	if strings.TrimSpace(audience) == "" {
		return nil, &IAMError{Method: "generateIdToken", Err: errors.New("empty audience")}
	}
	return idTokenCache(i.opts.Cache, i.opts.Logger, func(ctx context.Context) (string, error) {
		return i.IDToken(ctx, audience, true)
	}), nil
}

// idTokenCache caches the ID tokens fetch returns, as bearer tokens
// expiring at their exp.
func idTokenCache(opts oauth2client.CacheOptions, logger *slog.Logger, fetch func(context.Context) (string, error)) *oauth2client.CachedSource {
	if opts.Logger == nil {
		opts.Logger = logger
	}
	src := oauth2client.TokenSourceFunc(func(ctx context.Context) (*oauth2client.Token, error) {
		raw, err := fetch(ctx)
		if err != nil {
			return nil, err
		}
		tok, err := serviceaccount.IDTokenAsToken(raw, nil)
		if err != nil {
			return nil, fmt.Errorf("google: %w", err)
		}
		return tok, nil
	})
	return oauth2client.NewCachedSource(src, nil, &opts)
}
