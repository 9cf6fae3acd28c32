package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// ErrNoEndpoint means the credentials lack the endpoint an operation needs:
// a revocation endpoint for [Credentials.Revoke], a token-info or
// introspection endpoint for [Credentials.RetrieveScopes].
var ErrNoEndpoint = errors.New("oauth2client: no endpoint configured")

// Revoke revokes the credentials at their RFC 7009 revocation endpoint
// (RevokeURI): the refresh token if there is one (which also ends its access
// tokens), else the access token. It POSTs token and token_type_hint with
// client authentication (ClientAuth, else as AuthStyle says), tried once; Google's endpoint accepts this
// form too. A 200 answer is success: the credentials are then marked invalid
// (as oauth2client did) and their tokens cleared, so Token fails with
// [ErrInvalidCredentials]. A refusal is an [*Error] with Endpoint
// "revocation". Without a RevokeURI Revoke fails with [ErrNoEndpoint].
// Credentials bound to a store have their entry deleted.
func (c *Credentials) Revoke(ctx context.Context) error {
	if c.cfg.RevokeURI == "" {
		return fmt.Errorf("%w: credentials have no revocation URI", ErrNoEndpoint)
	}
	tok := c.CurrentToken()
	form := url.Values{}
	switch {
	case tok != nil && tok.RefreshToken != "":
		form.Set("token", tok.RefreshToken)
		form.Set("token_type_hint", "refresh_token")
	case tok != nil && tok.AccessToken != "":
		form.Set("token", tok.AccessToken)
		form.Set("token_type_hint", "access_token")
	default:
		return errors.New("oauth2client: revoke: credentials hold no token")
	}
	client := c.client()
	resp, err := client.send(ctx, endpointCall{
		endpoint: "revocation", field: fieldRevokeURI, url: c.cfg.RevokeURI, form: form, auth: true,
	})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return newError("revocation", resp, nil)
	}
	c.markRevoked()
	if c.cfg.Store != nil {
		if err := c.cfg.Store.Delete(ctx, c.cfg.StoreKey); err != nil {
			return fmt.Errorf("oauth2client: revoked, but deleting the stored entry failed: %w", err)
		}
	}
	return nil
}
