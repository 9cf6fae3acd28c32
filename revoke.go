package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// ErrNoEndpoint means the credentials lack the endpoint an operation needs:
// a revocation endpoint for [Credentials.Revoke], a token-info or
// introspection endpoint for [Credentials.RetrieveScopes].
var ErrNoEndpoint = errors.New("oauth2client: no endpoint configured")

// Revoke revokes the credentials at their RFC 7009 revocation endpoint
// (RevokeURI): the refresh token if there is one (which also ends its access
// tokens), else the access token. It POSTs token and token_type_hint with
// client authentication as AuthStyle says; Google's endpoint accepts this
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
	resp, body, err := c.postForm(ctx, "revocation", c.cfg.RevokeURI, form)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return endpointError("revocation", resp, body, nil)
	}
	c.markRevoked()
	if c.cfg.Store != nil {
		if err := c.cfg.Store.Delete(ctx, c.cfg.StoreKey); err != nil {
			return fmt.Errorf("oauth2client: revoked, but deleting the stored entry failed: %w", err)
		}
	}
	return nil
}

// postForm POSTs form with client authentication to the named endpoint and
// reads the bounded response body.
func (c *Credentials) postForm(ctx context.Context, endpoint, uri string, form url.Values) (*http.Response, []byte, error) {
	user, pass, basic := c.cfg.AuthStyle.authenticate(form, c.cfg.ClientID, c.cfg.ClientSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, nil, &Error{Endpoint: endpoint, Err: fmt.Errorf("bad %s endpoint URL: %w", endpoint, urlpolicy.RedactURLError(err))}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(user, pass)
	}
	return c.do(endpoint, req)
}

// do sends req and reads its bounded body; failures are [*Error]s that do
// not quote the URL (it may carry a token in its query).
func (c *Credentials) do(endpoint string, req *http.Request) (*http.Response, []byte, error) {
	req.Header.Set("Accept", "application/json")
	if c.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	resp, err := credentialClient(c.cfg.HTTPClient).Do(req)
	if err != nil {
		return nil, nil, &Error{Endpoint: endpoint, Err: urlpolicy.RedactURLError(err)}
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body)
	if err != nil {
		return nil, nil, &Error{Endpoint: endpoint, StatusCode: resp.StatusCode, Header: resp.Header, Err: err}
	}
	return resp, body, nil
}

// endpointError builds the [*Error] for a failed response, taking the
// RFC 6749 §5.2 fields from a JSON body when there are any.
func endpointError(endpoint string, resp *http.Response, body []byte, cause error) *Error {
	e := &Error{Endpoint: endpoint, StatusCode: resp.StatusCode, Header: resp.Header, Err: cause}
	e.Body = body[:min(len(body), maxErrorBody)]
	var fields map[string]any
	if json.Unmarshal(body, &fields) == nil {
		e.Code = stringField(fields["error"])
		e.Description = stringField(fields["error_description"])
		e.URI = stringField(fields["error_uri"])
	}
	return e
}
