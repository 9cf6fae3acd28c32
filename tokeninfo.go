package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// ErrInactiveToken means an RFC 7662 introspection endpoint answered that
// the token is not active (expired, revoked, or unknown to it).
var ErrInactiveToken = errors.New("oauth2client: token is not active")

// RetrieveScopes asks the authorization server which scopes the current
// access token (refreshed first if needed) was granted, and remembers the
// answer for [Credentials.Scopes] and [Credentials.HasScopes].
//
// With an IntrospectionURI it POSTs token and token_type_hint=access_token,
// with client authentication (ClientAuth, else as AuthStyle says), to that RFC 7662 endpoint,
// and reads "scope" from an {"active": true} answer; an inactive token is
// [ErrInactiveToken]. RFC 7662 §2.2 makes "scope" optional, so an answer
// without it (or with null) says nothing about the scopes: RetrieveScopes
// then keeps and returns what was known, as [Credentials.Scopes] says (the
// scopes the token endpoint named, else those requested), and remembers
// nothing new. Otherwise it asks TokenInfoURI as oauth2client did,
// with GET ?access_token=...&fields=scope (Google's tokeninfo), reading its
// space-separated "scope". Failures are [*Error]s with Endpoint
// "introspection" or "tokeninfo"; without either URI it fails with
// [ErrNoEndpoint].
func (c *Credentials) RetrieveScopes(ctx context.Context) ([]string, error) {
	if c.cfg.IntrospectionURI == "" && c.cfg.TokenInfoURI == "" {
		return nil, fmt.Errorf("%w: credentials have no introspection or token info URI", ErrNoEndpoint)
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return nil, err
	}
	var scopes []string
	if c.cfg.IntrospectionURI != "" {
		scopes, err = c.introspectScopes(ctx, tok.AccessToken)
	} else {
		scopes, err = c.tokenInfoScopes(ctx, tok.AccessToken)
	}
	if err != nil {
		return nil, err
	}
	if scopes == nil {
		return c.Scopes(), nil // not said: keep what is known
	}
	c.mu.Lock()
	c.granted = slices.Clone(scopes)
	c.mu.Unlock()
	return scopes, nil
}

// introspectScopes asks an RFC 7662 introspection endpoint. It returns nil
// scopes and no error when the answer does not say which scopes.
func (c *Credentials) introspectScopes(ctx context.Context, accessToken string) ([]string, error) {
	const endpoint = "introspection"
	form := url.Values{"token": {accessToken}, "token_type_hint": {"access_token"}}
	client := c.client()
	resp, err := client.send(ctx, endpointCall{
		endpoint: endpoint, field: fieldIntrospectionURI, url: c.cfg.IntrospectionURI, form: form, auth: true,
	})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, newError(endpoint, resp, nil)
	}
	var info struct {
		Active *bool `json:"active"`
		Scope  any   `json:"scope"`
	}
	if err := json.Unmarshal(resp.Body, &info); err != nil || info.Active == nil {
		return nil, newError(endpoint, resp,
			fmt.Errorf("%w: not a JSON object with a boolean \"active\"", ErrMalformedResponse))
	}
	if !*info.Active {
		return nil, ErrInactiveToken
	}
	if info.Scope == nil {
		return nil, nil // optional (RFC 7662 §2.2): not said
	}
	return scopeField(endpoint, resp, info.Scope)
}

// tokenInfoScopes asks a Google-style token info endpoint.
func (c *Credentials) tokenInfoScopes(ctx context.Context, accessToken string) ([]string, error) {
	const endpoint = "tokeninfo"
	u, err := url.Parse(c.cfg.TokenInfoURI)
	if err != nil {
		return nil, fmt.Errorf("oauth2client: %s endpoint: %s: not a valid URL", endpoint, fieldTokenInfoURI)
	}
	q := u.Query()
	q.Set("access_token", accessToken)
	q.Set("fields", "scope")
	u.RawQuery = q.Encode()
	client := c.client()
	resp, err := client.send(ctx, endpointCall{endpoint: endpoint, field: fieldTokenInfoURI, url: u.String()})
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, newError(endpoint, resp, nil)
	}
	var info struct {
		Scope any `json:"scope"`
	}
	if err := json.Unmarshal(resp.Body, &info); err != nil {
		return nil, newError(endpoint, resp, fmt.Errorf("%w: not a JSON object", ErrMalformedResponse))
	}
	return scopeField(endpoint, resp, info.Scope)
}

// scopeField reads a space-separated "scope" value; absent is no scopes,
// as in oauth2client.
func scopeField(endpoint string, resp *oauthhttp.Response, v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return []string{}, nil
	case string:
		return strings.Fields(v), nil
	}
	return nil, newError(endpoint, resp,
		fmt.Errorf("%w: field \"scope\" is %s, want a string", ErrMalformedResponse, jsonKind(v)))
}
