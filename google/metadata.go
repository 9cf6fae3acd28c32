package google

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// Environment variables read by the metadata client.
const (
	// EnvMetadataHost overrides the metadata server's host[:port].
	EnvMetadataHost = "GCE_METADATA_HOST"
	// EnvNoGCECheck set to "true" (any case) makes [FindDefault] skip the
	// metadata server, as Python oauth2client does.
	EnvNoGCECheck = "NO_GCE_CHECK"
)

// DefaultMetadataHost is the metadata server's link-local address.
const DefaultMetadataHost = "169.254.169.254"

// DefaultProbeTimeout bounds the "is a metadata server there?" probe.
const DefaultProbeTimeout = 3 * time.Second

// metadataRetry retries metadata requests briefly: the server is local
// and answers fast, or not at all.
var metadataRetry = oauthhttp.Retry{Max: 2, Backoff: 100 * time.Millisecond, MaxWait: time.Second}

// MetadataOptions configure a [MetadataClient]. The zero value (or nil)
// asks about the default service account at the host GCE_METADATA_HOST
// names, else 169.254.169.254.
type MetadataOptions struct {
	// Host is the metadata server's host[:port]; empty means
	// $GCE_METADATA_HOST, else DefaultMetadataHost. The metadata server
	// speaks plain http, so only a link-local address, a loopback host (an
	// emulator) or metadata.google.internal is accepted: tokens must not
	// cross a network in the clear.
	Host string
	// Account is the service account: "default" (when empty) or its email.
	Account string
	// Scopes, when set, are asked for with each token (?scopes=).
	Scopes []string
	// ProbeTimeout bounds [MetadataClient.Probe]; zero means
	// DefaultProbeTimeout.
	ProbeTimeout time.Duration
	// HTTPClient sends the requests; nil means this module's default
	// client, with timeouts.
	HTTPClient *http.Client
	// Logger receives debug records of requests; nil means none.
	Logger *slog.Logger
	// Cache tunes the token cache of [MetadataClient.TokenSource].
	Cache oauth2client.CacheOptions
}

// MetadataClient asks the GCE metadata server about the instance's service
// accounts and project. Every request carries "Metadata-Flavor: Google",
// and every answer must carry it too, or the call fails with a
// [*MetadataError] wrapping [ErrMissingMetadataFlavor]. Bodies are read up
// to 1 MiB. It is safe for concurrent use.
type MetadataClient struct {
	opts  MetadataOptions
	base  string // "http://HOST"
	cache *oauth2client.CachedSource
}

// NewMetadataClient returns a client for opts, which is copied.
func NewMetadataClient(opts *MetadataOptions) *MetadataClient {
	var o MetadataOptions
	if opts != nil {
		o = *opts
		o.Scopes = append([]string(nil), opts.Scopes...)
	}
	if o.Host == "" {
		o.Host = os.Getenv(EnvMetadataHost)
	}
	if o.Host == "" {
		o.Host = DefaultMetadataHost
	}
	if o.Account == "" {
		o.Account = "default"
	}
	if o.ProbeTimeout <= 0 {
		o.ProbeTimeout = DefaultProbeTimeout
	}
	m := &MetadataClient{opts: o, base: "http://" + o.Host}
	cacheOpts := o.Cache
	if cacheOpts.Logger == nil {
		cacheOpts.Logger = o.Logger
	}
	m.cache = oauth2client.NewCachedSource(oauth2client.TokenSourceFunc(m.fetchToken), nil, &cacheOpts)
	return m
}

// Host returns the host[:port] the client talks to.
func (m *MetadataClient) Host() string { return m.opts.Host }

// Probe reports whether a metadata server answers at the host, within
// ProbeTimeout and without retries: nil if it answers with
// Metadata-Flavor: Google, else the reason.
func (m *MetadataClient) Probe(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, m.opts.ProbeTimeout)
	defer cancel()
	_, err := m.get(ctx, "/", nil, oauthhttp.Retry{})
	return err
}

// TokenSource returns the account's access tokens, cached and refreshed
// ahead of expiry (one request per expiry, see
// [oauth2client.CachedSource]).
func (m *MetadataClient) TokenSource() *oauth2client.CachedSource { return m.cache }

// Token returns an access token of the account, from the cache of
// [MetadataClient.TokenSource].
func (m *MetadataClient) Token(ctx context.Context) (*oauth2client.Token, error) {
	return m.cache.Token(ctx)
}

// fetchToken asks the server for a new access token.
func (m *MetadataClient) fetchToken(ctx context.Context) (*oauth2client.Token, error) {
	var q url.Values
	if len(m.opts.Scopes) > 0 {
		q = url.Values{"scopes": {strings.Join(m.opts.Scopes, ",")}}
	}
	path := m.accountPath("token")
	body, err := m.get(ctx, path, q, metadataRetry)
	if err != nil {
		return nil, err
	}
	var r struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		TokenType   string `json:"token_type"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, &MetadataError{Path: path, StatusCode: http.StatusOK, Err: errors.New("the token answer is not JSON")}
	}
	if r.AccessToken == "" {
		return nil, &MetadataError{Path: path, StatusCode: http.StatusOK, Err: errors.New("the token answer has no access_token")}
	}
	if r.ExpiresIn <= 0 {
		// Without it the token would be cached as never expiring.
		return nil, &MetadataError{Path: path, StatusCode: http.StatusOK, Err: errors.New("the token answer has no positive expires_in")}
	}
	tok := &oauth2client.Token{AccessToken: r.AccessToken, TokenType: r.TokenType, Scopes: m.opts.Scopes}
	now := time.Now
	if m.opts.Cache.Now != nil {
		now = m.opts.Cache.Now
	}
	tok.Expiry = now().Add(time.Duration(r.ExpiresIn) * time.Second)
	return tok, nil
}

// Email returns the account's email address.
func (m *MetadataClient) Email(ctx context.Context) (string, error) {
	return m.text(ctx, m.accountPath("email"), nil)
}

// Scopes returns the scopes the account's tokens carry by default.
func (m *MetadataClient) Scopes(ctx context.Context) ([]string, error) {
	s, err := m.text(ctx, m.accountPath("scopes"), nil)
	if err != nil {
		return nil, err
	}
	return strings.Fields(s), nil
}

// IDToken returns an ID token of the account for audience, with the full
// set of claims (email included). The token is not cached.
func (m *MetadataClient) IDToken(ctx context.Context, audience string) (string, error) {
	if audience == "" {
		return "", errors.New("google: IDToken: empty audience")
	}
	return m.text(ctx, m.accountPath("identity"), url.Values{"audience": {audience}, "format": {"full"}})
}

// ProjectID returns the instance's project id.
func (m *MetadataClient) ProjectID(ctx context.Context) (string, error) {
	return m.text(ctx, "/computeMetadata/v1/project/project-id", nil)
}

// accountPath is the path of an item of the account.
func (m *MetadataClient) accountPath(item string) string {
	return "/computeMetadata/v1/instance/service-accounts/" + url.PathEscape(m.opts.Account) + "/" + item
}

// text gets path and returns its body as trimmed text, refusing an empty one.
func (m *MetadataClient) text(ctx context.Context, path string, q url.Values) (string, error) {
	body, err := m.get(ctx, path, q, metadataRetry)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(string(body))
	if s == "" {
		return "", &MetadataError{Path: path, StatusCode: http.StatusOK, Err: errors.New("empty answer")}
	}
	return s, nil
}

// get sends a GET with Metadata-Flavor and checks the answer's.
func (m *MetadataClient) get(ctx context.Context, path string, q url.Values, retry oauthhttp.Retry) ([]byte, error) {
	u := m.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	resp, err := oauthhttp.Do(ctx, &oauthhttp.Request{
		Endpoint:       "metadata",
		Field:          "MetadataOptions.Host",
		Method:         http.MethodGet,
		URL:            u,
		Header:         http.Header{"Metadata-Flavor": {"Google"}, "Accept": {"*/*"}},
		MetadataServer: true,
		Client:         m.opts.HTTPClient,
		Retry:          retry,
		Logger:         m.opts.Logger,
	})
	switch {
	case resp != nil && resp.Header.Get("Metadata-Flavor") != "Google":
		return nil, &MetadataError{Path: path, StatusCode: resp.StatusCode, Err: ErrMissingMetadataFlavor}
	case err != nil:
		me := &MetadataError{Path: path, Err: err}
		if resp != nil {
			me.StatusCode = resp.StatusCode
		}
		return nil, me
	case resp.StatusCode != http.StatusOK:
		return nil, &MetadataError{Path: path, StatusCode: resp.StatusCode, Err: errors.New(http.StatusText(resp.StatusCode))}
	}
	return resp.Body, nil
}
