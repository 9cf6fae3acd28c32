package oauth2client

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// TokenRequest is a request to a token endpoint (RFC 6749 §3.2), for any
// grant: flows, refreshes, and custom grants such as token exchange
// (RFC 8693). See [RequestToken].
type TokenRequest struct {
	// URL is the token endpoint.
	URL string
	// Params are the grant's form parameters, including "grant_type".
	// Client authentication parameters are added by RequestToken.
	Params url.Values
	// ClientID and ClientSecret authenticate the client as AuthStyle says.
	ClientID, ClientSecret string
	// AuthStyle is how the client authenticates; see [AuthStyle].
	AuthStyle AuthStyle
	// UserAgent, when set, is sent as the User-Agent header.
	UserAgent string
	// HTTPClient sends the request; nil means http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock used to turn expires_in into an expiry;
	// nil means time.Now.
	Now func() time.Time
}

// RequestToken posts req to its token endpoint and parses the response
// (RFC 6749 §5.1). A refusal or an unreadable response is an [*Error];
// it never quotes the request's secrets, codes or tokens.
func RequestToken(ctx context.Context, req *TokenRequest) (*Token, error) {
	form := url.Values{}
	for k, v := range req.Params {
		form[k] = v
	}
	user, pass, basic := req.AuthStyle.authenticate(form, req.ClientID, req.ClientSecret)
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.URL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, &Error{Endpoint: "token", Err: fmt.Errorf("bad token endpoint URL: %w", urlpolicy.RedactURLError(err))}
	}
	hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hr.Header.Set("Accept", "application/json")
	if req.UserAgent != "" {
		hr.Header.Set("User-Agent", req.UserAgent)
	}
	if basic {
		hr.SetBasicAuth(user, pass)
	}
	resp, err := credentialClient(req.HTTPClient).Do(hr)
	if err != nil {
		return nil, &Error{Endpoint: "token", Err: urlpolicy.RedactURLError(err)}
	}
	defer resp.Body.Close()
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	return parseTokenResponse(resp, now())
}

// parseTokenResponse reads a token endpoint response received at now.
func parseTokenResponse(resp *http.Response, now time.Time) (*Token, error) {
	raw, fail, err := readOAuthResponse(resp, "token", resp.Header.Get("Content-Type"))
	if err != nil {
		return nil, err
	}
	tok, err := tokenFromResponse(raw, now)
	if err != nil {
		return nil, fail(err)
	}
	return tok, nil
}

// readOAuthResponse reads the response of an OAuth endpoint (token, device
// authorization) decoded as contentType says. It returns the decoded object
// of a 2xx response that carries no "error"; any other response is an
// [*Error] naming endpoint, with the RFC 6749 §5.2 fields when the body has
// them (a 200 carrying "error" included). fail builds the *Error for a
// problem the caller finds later in the object.
func readOAuthResponse(resp *http.Response, endpoint, contentType string) (raw map[string]any, fail func(error) *Error, err error) {
	body, err := readBody(resp.Body)
	fail = func(cause error) *Error {
		e := &Error{Endpoint: endpoint, StatusCode: resp.StatusCode, Header: resp.Header, Err: cause}
		e.Body = body[:min(len(body), maxErrorBody)]
		return e
	}
	if err != nil {
		return nil, fail, fail(err)
	}
	ok := resp.StatusCode >= 200 && resp.StatusCode <= 299
	raw, err = decodeTokenBody(contentType, body)
	if err != nil {
		if !ok {
			return nil, fail, fail(nil)
		}
		return nil, fail, fail(err)
	}
	if code, has := raw["error"]; has && code != nil {
		e := fail(nil)
		e.Code = stringField(code)
		e.Description = stringField(raw["error_description"])
		e.URI = stringField(raw["error_uri"])
		if e.Code == "" {
			e.Code = "unknown_error"
		}
		return nil, fail, e
	}
	if !ok {
		return nil, fail, fail(nil)
	}
	return raw, fail, nil
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
	d := json.NewDecoder(strings.NewReader(string(body)))
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

// tokenFromResponse builds a Token from a decoded successful response.
func tokenFromResponse(raw map[string]any, now time.Time) (*Token, error) {
	field := func(name string) (string, error) { return responseString(raw, name) }
	tok := &Token{Raw: raw}
	var err error
	if tok.AccessToken, err = field("access_token"); err != nil {
		return nil, err
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("%w: no access_token", ErrMalformedResponse)
	}
	if tok.TokenType, err = field("token_type"); err != nil {
		return nil, err
	}
	if tok.TokenType != "" && !strings.EqualFold(tok.TokenType, "bearer") {
		return nil, fmt.Errorf("%w %q", ErrUnsupportedTokenType, urlpolicy.Clip(tok.TokenType, 32))
	}
	if tok.RefreshToken, err = field("refresh_token"); err != nil {
		return nil, err
	}
	if tok.IDToken, err = field("id_token"); err != nil {
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
