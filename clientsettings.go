package oauth2client

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// clientSettings is what requests to an authorization server need to know
// about the client. Flows, credentials and [TokenRequest] each make one,
// and every token, device, revocation, introspection and token-info
// request is sent through it.
type clientSettings struct {
	id, secret string
	style      AuthStyle  // used when auth is nil
	auth       ClientAuth // nil: from style and secret
	issuer     string     // the server's issuer, if known
	userAgent  string
	httpClient *http.Client
	proof      ProofBinder
	retry      RetryOptions
	logger     *slog.Logger
	now        func() time.Time // nil: time.Now
}

// client returns the settings of the flow's client.
func (f *Flow) client() clientSettings {
	return clientSettings{
		id: f.cfg.ClientID, secret: f.cfg.ClientSecret, style: f.style, auth: f.cfg.ClientAuth,
		issuer: f.cfg.Endpoint.Issuer, userAgent: f.cfg.UserAgent, httpClient: f.cfg.HTTPClient,
		proof: f.cfg.ProofBinder, retry: f.cfg.Retry, logger: f.cfg.Logger, now: f.cfg.Now,
	}
}

// client returns the settings of the credentials' client.
func (c *Credentials) client() clientSettings {
	return clientSettings{
		id: c.cfg.ClientID, secret: c.cfg.ClientSecret, style: c.cfg.AuthStyle, auth: c.cfg.ClientAuth,
		userAgent: c.cfg.UserAgent, httpClient: c.cfg.HTTPClient, proof: c.cfg.ProofBinder,
		retry: c.cfg.Retry, logger: c.cfg.Logger, now: c.cfg.Cache.Now,
	}
}

// tokenRequest is the one construction of a token request for a client:
// params go to the token endpoint at uri, which comes from the
// configuration field named field.
func (s *clientSettings) tokenRequest(uri, field string, params url.Values) *TokenRequest {
	return &TokenRequest{
		URL: uri, Params: params,
		ClientID: s.id, ClientSecret: s.secret, AuthStyle: s.style, ClientAuth: s.auth,
		ProofBinder: s.proof, UserAgent: s.userAgent, HTTPClient: s.httpClient,
		Retry: s.retry, Logger: s.logger, Now: s.now,
		issuer: s.issuer, field: field,
	}
}

// clientAuth returns the client authentication to use.
func (s *clientSettings) clientAuth() ClientAuth {
	if s.auth != nil {
		return s.auth
	}
	return s.style.ClientAuth(s.secret)
}

// endpointCall is one request to an authorization server endpoint.
type endpointCall struct {
	endpoint string      // e.g. "token", in errors and logs
	field    string      // the configuration field url came from
	url      string      // the endpoint URL
	form     url.Values  // the POST form; nil for a GET
	header   http.Header // sent with every try, e.g. a resource's Authorization; may be nil
	auth     bool        // authenticate the client
	proof    bool        // add the proof binder's proof, if any
	token    string      // with proof, the access token a resource request carries (DPoP "ath")
	retry    oauthhttp.Retry
}

// send makes call for the client. It returns the answer, whatever its
// status, or the error of a request that got no readable answer: an
// [*Error], or a plain error naming the field when nothing was sent.
func (s *clientSettings) send(ctx context.Context, call endpointCall) (*oauthhttp.Response, error) {
	r := &oauthhttp.Request{
		Endpoint: call.endpoint,
		Field:    call.field,
		URL:      call.url,
		Form:     call.form,
		Client:   s.httpClient,
		Retry:    call.retry,
		// RFC 8705: the certificate of tls_client_auth is presented on
		// every request, also where it binds tokens (userinfo).
		Certificate: certificateOf(s.auth),
		Logger:      s.logger,
	}
	r.Header = call.header.Clone()
	if s.userAgent != "" {
		if r.Header == nil {
			r.Header = http.Header{}
		}
		r.Header.Set("User-Agent", s.userAgent)
	}
	if call.auth {
		auth := s.clientAuth()
		r.Authenticate = func(ctx context.Context, form url.Values, header http.Header) error {
			return auth.Authenticate(ctx, &ClientAuthRequest{
				Endpoint: call.endpoint, URL: call.url, Issuer: s.issuer,
				ClientID: s.id, Form: form, Header: header,
			})
		}
	}
	if call.proof && s.proof != nil {
		binder := s.proof
		r.Prove = func(ctx context.Context, method, u string, header http.Header) error {
			return binder.BindRequest(ctx, &ProofRequest{Method: method, URL: u, Header: header, AccessToken: call.token})
		}
		r.NonceRetry = func(resp *oauthhttp.Response) bool {
			return binder.NonceRetry(&ProofAnswer{URL: call.url, StatusCode: resp.StatusCode,
				Header: resp.Header, ErrorCode: errorFields(resp).code})
		}
	}
	resp, err := oauthhttp.Do(ctx, r)
	if err != nil {
		return nil, requestError(call.endpoint, resp, err)
	}
	return resp, nil
}

// The configuration fields of [CredentialsConfig] that hold endpoint URLs,
// with their names in credentials JSON, as errors name them.
const (
	fieldTokenURI         = `CredentialsConfig.TokenURI ("token_uri")`
	fieldRevokeURI        = `CredentialsConfig.RevokeURI ("revoke_uri")`
	fieldTokenInfoURI     = `CredentialsConfig.TokenInfoURI ("token_info_uri")`
	fieldIntrospectionURI = `CredentialsConfig.IntrospectionURI ("introspection_uri")`
)
