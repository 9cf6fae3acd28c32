package oauth2client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// TokenRequest is a request to a token endpoint (RFC 6749 §3.2), for any
// grant: flows, refreshes, and custom grants such as token exchange
// (RFC 8693). See [RequestToken].
type TokenRequest struct {
	// URL is the token endpoint: https, or http on a loopback host only.
	URL string
	// Params are the grant's form parameters, including "grant_type".
	// Client authentication parameters are added by RequestToken.
	Params url.Values
	// ClientID and ClientSecret authenticate the client as AuthStyle says.
	ClientID, ClientSecret string
	// AuthStyle is how the client authenticates; see [AuthStyle].
	AuthStyle AuthStyle
	// ClientAuth, when set, authenticates the client instead of
	// AuthStyle and ClientSecret; see [ClientAuth].
	ClientAuth ClientAuth
	// ProofBinder, when set, binds the request and the token to a key
	// (e.g. DPoP); nil means a bearer token. See [ProofBinder].
	ProofBinder ProofBinder
	// UserAgent, when set, is sent as the User-Agent header.
	UserAgent string
	// HTTPClient sends the request; nil means a client with the limits
	// [DefaultDialTimeout], [DefaultTLSHandshakeTimeout],
	// [DefaultResponseHeaderTimeout] and [DefaultRequestTimeout].
	// Redirects are never followed.
	HTTPClient *http.Client
	// Retry tunes the retries; see [RetryOptions].
	Retry RetryOptions
	// Logger receives debug records of tries, answers and retries, never
	// a secret; nil means none.
	Logger *slog.Logger
	// Now is the clock used to turn expires_in into an expiry;
	// nil means time.Now.
	Now func() time.Time
	// IDTokenOnly accepts a successful response that carries an id_token
	// and no access_token, as Google's token endpoint answers a service
	// account's JWT-bearer request for an ID token (a "target_audience"
	// claim instead of "scope"). The Token's AccessToken is then empty and
	// its IDToken holds the token; a response with neither is an error.
	IDTokenOnly bool
	// TokenTypes are token_type values accepted besides Bearer (or the
	// ProofBinder's type), compared without case: e.g. "N_A", which a
	// token exchange (RFC 8693 §2.2.1) answers for an issued token that
	// is not an access token. Such a token is not meant for an
	// Authorization header.
	TokenTypes []string

	issuer string // the server's issuer, for ClientAuth; "" if unknown
	field  string // the configuration field URL came from; "" means TokenRequest.URL
}

// RequestToken posts req to its token endpoint and parses the response
// (RFC 6749 §5.1), retrying as req.Retry says: an authorization_code grant
// only when nothing reached the server. A refusal or an unreadable
// response is an [*Error]; it never quotes the request's secrets, codes or
// tokens. A URL that is not https (or http on loopback) is refused before
// anything is sent, with an error naming the field it came from.
func RequestToken(ctx context.Context, req *TokenRequest) (*Token, error) {
	s := clientSettings{
		id: req.ClientID, secret: req.ClientSecret, style: req.AuthStyle, auth: req.ClientAuth,
		issuer: req.issuer, userAgent: req.UserAgent, httpClient: req.HTTPClient,
		proof: req.ProofBinder, retry: req.Retry, logger: req.Logger, now: req.Now,
	}
	field := req.field
	if field == "" {
		field = "TokenRequest.URL"
	}
	retry := req.Retry.policy(req.Now)
	if req.Params.Get("grant_type") == "authorization_code" {
		retry.BeforeSendOnly = true // a code is spent by the first request that reaches the server
	}
	resp, err := s.send(ctx, endpointCall{
		endpoint: "token", field: field, url: req.URL, form: req.Params,
		auth: true, proof: true, retry: retry,
	})
	if err != nil {
		return nil, err
	}
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	wantType := ""
	if req.ProofBinder != nil {
		wantType = req.ProofBinder.TokenType()
	}
	return parseTokenResponse(resp, now(), wantType, req.IDTokenOnly, req.TokenTypes...)
}

// parseTokenResponse reads a token endpoint response received at now. The
// token type must be wantType, or Bearer when wantType is empty; idOnly
// accepts an id_token without an access_token; extra are token types
// accepted besides.
func parseTokenResponse(resp *oauthhttp.Response, now time.Time, wantType string, idOnly bool, extra ...string) (*Token, error) {
	raw, err := readOAuthResponse(resp, "token", resp.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	tok, err := tokenFromResponse(raw, now, wantType, idOnly, extra...)
	if err != nil {
		return nil, newError("token", resp, err)
	}
	return tok, nil
}

// readOAuthResponse reads the response of an OAuth endpoint (token, device
// authorization) decoded as contentType says. It returns the decoded object
// of a 2xx response that carries no "error"; any other response is an
// [*Error] naming endpoint, with the RFC 6749 §5.2 fields when the body has
// them (a 200 carrying "error" included).
func readOAuthResponse(resp *oauthhttp.Response, endpoint, contentType string) (map[string]any, error) {
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	raw, err := decodeTokenBody(contentType, resp.Body)
	switch {
	case err != nil && ok:
		return nil, newError(endpoint, resp, err)
	case err != nil, !ok:
		return nil, newError(endpoint, resp, nil)
	}
	if code, has := raw["error"]; has && code != nil {
		return nil, newError(endpoint, resp, nil)
	}
	return raw, nil
}

// decodeTokenBody decodes a JSON object, or a form-encoded body when the
// server says so (some providers answer application/x-www-form-urlencoded).
func decodeTokenBody(contentType string, body []byte) (map[string]any, error) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if mt == "application/x-www-form-urlencoded" || mt == "text/plain" {
		if vals, err := url.ParseQuery(string(body)); err == nil && (vals.Has("access_token") || vals.Has("error")) {
			raw := make(map[string]any, len(vals))
			for k := range vals {
				raw[k] = vals.Get(k)
			}
			return raw, nil
		}
	}
	var raw map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&raw); err != nil || raw == nil {
		what := "not a JSON object"
		if mt != "" && mt != "application/json" {
			what += " (Content-Type " + urlpolicy.Clip(mt, 64) + ")"
		}
		return nil, fmt.Errorf("%w: %s", ErrMalformedResponse, what)
	}
	return raw, nil
}

// tokenFromResponse builds a Token from a decoded successful response;
// idOnly accepts an id_token without an access_token; extra are token
// types accepted besides wantType.
func tokenFromResponse(raw map[string]any, now time.Time, wantType string, idOnly bool, extra ...string) (*Token, error) {
	field := func(name string) (string, error) { return responseString(raw, name) }
	tok := &Token{Raw: raw}
	var err error
	if tok.AccessToken, err = field("access_token"); err != nil {
		return nil, err
	}
	if tok.IDToken, err = field("id_token"); err != nil {
		return nil, err
	}
	switch {
	case tok.AccessToken != "":
	case !idOnly:
		return nil, fmt.Errorf("%w: no access_token", ErrMalformedResponse)
	case tok.IDToken == "":
		return nil, fmt.Errorf("%w: no access_token or id_token", ErrMalformedResponse)
	}
	if tok.TokenType, err = field("token_type"); err != nil {
		return nil, err
	}
	if !tokenTypeAccepted(tok.TokenType, wantType, extra) {
		return nil, fmt.Errorf("%w %q", ErrUnsupportedTokenType, urlpolicy.Clip(tok.TokenType, 32))
	}
	if tok.RefreshToken, err = field("refresh_token"); err != nil {
		return nil, err
	}
	scope, err := field("scope")
	if err != nil {
		return nil, err
	}
	if _, ok := raw["scope"]; ok {
		tok.Scopes = strings.Fields(scope)
	}
	secs, err := expiresIn(raw["expires_in"])
	if err != nil {
		return nil, err
	}
	if secs > 0 {
		tok.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	return tok, nil
}

// tokenTypeAccepted reports whether got is wantType (Bearer, or empty,
// when wantType is empty) or one of extra.
func tokenTypeAccepted(got, wantType string, extra []string) bool {
	if wantType == "" && (got == "" || strings.EqualFold(got, "bearer")) ||
		wantType != "" && strings.EqualFold(got, wantType) {
		return true
	}
	return slices.ContainsFunc(extra, func(t string) bool { return strings.EqualFold(got, t) })
}

// expiresIn reads expires_in, which servers send as a number or a string.
func expiresIn(v any) (int64, error) {
	var s string
	switch v := v.(type) {
	case nil:
		return 0, nil
	case json.Number:
		s = v.String()
	case string:
		s = strings.TrimSpace(v)
		if s == "" {
			return 0, nil
		}
	default:
		return 0, fmt.Errorf("%w: field \"expires_in\" is %s, want a number", ErrMalformedResponse, jsonKind(v))
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || !(f >= 0 && f <= 1e10) { // also rejects NaN
			return 0, fmt.Errorf("%w: field \"expires_in\" is not a number of seconds", ErrMalformedResponse)
		}
		n = int64(f)
	}
	if n < 0 || n > 1e10 {
		return 0, fmt.Errorf("%w: field \"expires_in\" is out of range", ErrMalformedResponse)
	}
	return n, nil
}

// stringField renders a JSON value found where a string belongs.
func stringField(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	}
	return fmt.Sprint(v)
}
