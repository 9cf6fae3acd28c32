package google

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// DefaultIAMBaseURL is the IAM Credentials API's base URL.
const DefaultIAMBaseURL = "https://iamcredentials.googleapis.com"

// MaxLifetime is the longest lifetime generateAccessToken grants without
// an organization policy allowing more.
const MaxLifetime = time.Hour

// ImpersonateOptions configure [Impersonate].
type ImpersonateOptions struct {
	// TargetPrincipal is the email of the service account to impersonate.
	// Required.
	TargetPrincipal string
	// Delegates are the emails of the chain of service accounts between
	// the source's principal and the target, each allowed to impersonate
	// the next.
	Delegates []string
	// Scopes are the scopes of the access tokens; required for Token.
	Scopes []string
	// Lifetime is the tokens' lifetime; zero means one hour. It is sent in
	// whole seconds.
	Lifetime time.Duration
	// BaseURL is the IAM Credentials API's base URL; empty means
	// DefaultIAMBaseURL. Tests point it at oauth2test.
	BaseURL string
	// HTTPClient sends the requests; nil means this module's default
	// client, with timeouts.
	HTTPClient *http.Client
	// Logger receives debug records of requests; nil means none.
	Logger *slog.Logger
	// Cache tunes the token cache.
	Cache oauth2client.CacheOptions
}

// Impersonated are credentials of a service account obtained through the
// IAM Credentials API with the tokens of another principal (the source):
// generateAccessToken for access tokens, generateIdToken for ID tokens.
// It is a [oauth2client.TokenSource], cached (one request per expiry),
// safe for concurrent use.
type Impersonated struct {
	opts  ImpersonateOptions
	src   oauth2client.TokenSource
	cache *oauth2client.CachedSource
}

// Impersonate returns credentials of opts.TargetPrincipal, obtained with
// the tokens of source. It makes no request: the first Token call does.
// opts is copied.
func Impersonate(source oauth2client.TokenSource, opts *ImpersonateOptions) (*Impersonated, error) {
	if source == nil {
		return nil, errors.New("google: Impersonate: nil source")
	}
	if opts == nil || opts.TargetPrincipal == "" {
		return nil, errors.New("google: ImpersonateOptions.TargetPrincipal is required")
	}
	o := *opts
	o.Delegates = append([]string(nil), opts.Delegates...)
	o.Scopes = append([]string(nil), opts.Scopes...)
	if o.BaseURL == "" {
		o.BaseURL = DefaultIAMBaseURL
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if err := urlpolicy.CheckEndpoint(o.BaseURL); err != nil {
		return nil, fmt.Errorf("google: ImpersonateOptions.BaseURL: %w", err)
	}
	switch {
	case o.Lifetime == 0:
		o.Lifetime = MaxLifetime
	case o.Lifetime < time.Second:
		return nil, fmt.Errorf("google: ImpersonateOptions.Lifetime %v: must be at least 1s", o.Lifetime)
	}
	i := &Impersonated{opts: o, src: source}
	cacheOpts := o.Cache
	if cacheOpts.Logger == nil {
		cacheOpts.Logger = o.Logger
	}
	i.cache = oauth2client.NewCachedSource(oauth2client.TokenSourceFunc(i.generateAccessToken), nil, &cacheOpts)
	return i, nil
}

// TargetPrincipal returns the email of the impersonated service account.
func (i *Impersonated) TargetPrincipal() string { return i.opts.TargetPrincipal }

// Token returns an access token of the target principal, cached.
func (i *Impersonated) Token(ctx context.Context) (*oauth2client.Token, error) {
	return i.cache.Token(ctx)
}

// IDToken returns an ID token of the target principal for audience (not
// cached), with its email claim when includeEmail is true.
func (i *Impersonated) IDToken(ctx context.Context, audience string, includeEmail bool) (string, error) {
	const method = "generateIdToken"
	if audience == "" {
		return "", &IAMError{Method: method, Err: errors.New("empty audience")}
	}
	body, err := json.Marshal(map[string]any{
		"delegates":    i.delegates(),
		"audience":     audience,
		"includeEmail": includeEmail,
	})
	if err != nil {
		return "", &IAMError{Method: method, Err: err}
	}
	var r struct {
		Token string `json:"token"`
	}
	if err := i.call(ctx, method, body, &r); err != nil {
		return "", err
	}
	if r.Token == "" {
		return "", &IAMError{Method: method, StatusCode: http.StatusOK, Err: errors.New("the answer has no token")}
	}
	return r.Token, nil
}

// generateAccessToken asks the API for a new access token.
func (i *Impersonated) generateAccessToken(ctx context.Context) (*oauth2client.Token, error) {
	const method = "generateAccessToken"
	if len(i.opts.Scopes) == 0 {
		return nil, &IAMError{Method: method, Err: errors.New("no scopes: set ImpersonateOptions.Scopes")}
	}
	body, err := json.Marshal(map[string]any{
		"delegates": i.delegates(),
		"scope":     i.opts.Scopes,
		"lifetime":  strconv.FormatInt(int64(i.opts.Lifetime/time.Second), 10) + "s",
	})
	if err != nil {
		return nil, &IAMError{Method: method, Err: err}
	}
	var r struct {
		AccessToken string `json:"accessToken"`
		ExpireTime  string `json:"expireTime"`
	}
	if err := i.call(ctx, method, body, &r); err != nil {
		return nil, err
	}
	if r.AccessToken == "" {
		return nil, &IAMError{Method: method, StatusCode: http.StatusOK, Err: errors.New("the answer has no accessToken")}
	}
	exp, err := time.Parse(time.RFC3339, r.ExpireTime)
	if err != nil {
		return nil, &IAMError{Method: method, StatusCode: http.StatusOK, Err: errors.New("the answer's expireTime is not an RFC 3339 time")}
	}
	return &oauth2client.Token{AccessToken: r.AccessToken, TokenType: "Bearer", Expiry: exp, Scopes: i.opts.Scopes}, nil
}

// delegates returns the delegates as resource names.
func (i *Impersonated) delegates() []string {
	out := make([]string, len(i.opts.Delegates))
	for k, d := range i.opts.Delegates {
		out[k] = "projects/-/serviceAccounts/" + d
	}
	return out
}

// call POSTs body to method of the target principal, bearer-authorized by
// the source, and decodes a 200 answer into out.
func (i *Impersonated) call(ctx context.Context, method string, body []byte, out any) error {
	tok, err := i.src.Token(ctx)
	if err != nil {
		return &IAMError{Method: method, Err: fmt.Errorf("source credentials: %w", err)}
	}
	u := i.opts.BaseURL + "/v1/projects/-/serviceAccounts/" + url.PathEscape(i.opts.TargetPrincipal) + ":" + method
	h := http.Header{"Authorization": {tok.Type() + " " + tok.AccessToken}}
	resp, err := oauthhttp.Do(ctx, &oauthhttp.Request{
		Endpoint: "iamcredentials " + method,
		Field:    "ImpersonateOptions.BaseURL",
		URL:      u,
		JSON:     body,
		Header:   h,
		Client:   i.opts.HTTPClient,
		Retry:    oauthhttp.Retry{Max: 2, Backoff: time.Second, MaxWait: 10 * time.Second},
		Logger:   i.opts.Logger,
	})
	if err != nil {
		e := &IAMError{Method: method, Err: err}
		if resp != nil {
			e.StatusCode = resp.StatusCode
		}
		return e
	}
	if resp.StatusCode != http.StatusOK {
		e := &IAMError{Method: method, StatusCode: resp.StatusCode}
		var g struct {
			Error struct {
				Message string `json:"message"`
				Status  string `json:"status"`
			} `json:"error"`
		}
		if json.Unmarshal(resp.Body, &g) == nil {
			e.Status = urlpolicy.Clip(g.Error.Status, 64)
			e.Message = urlpolicy.Clip(g.Error.Message, 256)
		}
		return e
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		return &IAMError{Method: method, StatusCode: resp.StatusCode, Err: errors.New("the answer is not JSON of the expected shape")}
	}
	return nil
}
