package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// GrantTypeDeviceCode is the grant_type of the device access token request
// (RFC 8628 §3.4).
const GrantTypeDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// DefaultDeviceInterval is the polling interval of [Flow.PollDevice] when
// the device authorization response names none (RFC 8628 §3.2).
const DefaultDeviceInterval = 5 * time.Second

// slowDownStep is how much a slow_down answer lengthens the polling
// interval (RFC 8628 §3.5).
const slowDownStep = 5 * time.Second

// maxNetworkRetries bounds how many polls in a row may fail temporarily
// (network, HTTP 429 or 5xx) before [Flow.PollDevice] gives up.
const maxNetworkRetries = 5

// ErrDeviceCodeExpired means the device code of a device authorization
// expired before the user approved it (RFC 8628 §3.5 "expired_token"):
// start again with [Flow.DeviceAuth].
var ErrDeviceCodeExpired = errors.New("oauth2client: device code expired")

// DeviceAuth is a pending device authorization (RFC 8628 §3.2): the codes
// and URLs to show the user while [Flow.PollDevice] waits for approval.
//
// DeviceCode is a secret of the client: show the user only UserCode and the
// verification URIs. String and LogValue leave the device code out.
type DeviceAuth struct {
	// DeviceCode identifies the authorization to the token endpoint.
	DeviceCode string `json:"device_code"`
	// UserCode is what the user types at VerificationURI: at most 64
	// bytes, all printable (checked by [Flow.DeviceAuth]).
	UserCode string `json:"user_code"`
	// VerificationURI is where the user goes to approve: https, or http
	// to a loopback host (checked by [Flow.DeviceAuth]). Google's
	// "verification_url" spelling is accepted too.
	VerificationURI string `json:"verification_uri"`
	// VerificationURIComplete, when the server sends one, is
	// VerificationURI with the user code in it, e.g. for a QR code.
	VerificationURIComplete string `json:"verification_uri_complete,omitempty"`
	// ExpiresIn is the lifetime of the codes in seconds, as received.
	ExpiresIn int64 `json:"expires_in"`
	// Expiry is when the codes expire, by the flow's clock; zero if the
	// server sent no expires_in.
	Expiry time.Time `json:"expiry,omitzero"`
	// Interval is how long to wait between polls: the server's "interval",
	// or DefaultDeviceInterval when it sent none.
	Interval time.Duration `json:"interval"`
	// Scopes are the scopes requested; the credentials from
	// [Flow.PollDevice] carry them.
	Scopes []string `json:"scopes,omitempty"`
}

// String describes da for people and logs, without the device code.
func (da *DeviceAuth) String() string {
	if da == nil {
		return "<nil DeviceAuth>"
	}
	return fmt.Sprintf("device authorization: user code %s at %s", da.UserCode, da.VerificationURI)
}

// LogValue implements [slog.LogValuer], leaving the device code out.
func (da *DeviceAuth) LogValue() slog.Value {
	if da == nil {
		return slog.StringValue("<nil>")
	}
	return slog.GroupValue(
		slog.String("user_code", da.UserCode),
		slog.String("verification_uri", da.VerificationURI),
		slog.Time("expiry", da.Expiry),
		slog.Duration("interval", da.Interval),
	)
}

// DeviceAuth starts a device authorization (RFC 8628 §3.1): it posts the
// client id (and client authentication per the flow's AuthStyle) and the
// scopes to Endpoint.DeviceAuthURL. Of the options, [WithScopes] and
// [SetParam] apply; the others concern the authorization-code flow and are
// ignored. Show the user the returned UserCode and VerificationURI, then
// call [Flow.PollDevice]. A refusal by the server is an [*Error] whose
// Endpoint is "device authorization"; so is a response unsafe to show the
// user (a user code over 64 bytes or with unprintable characters, a
// verification URI that is not https, or http on loopback), matching
// [ErrMalformedResponse] and naming the field.
func (f *Flow) DeviceAuth(ctx context.Context, opts ...AuthCodeOption) (*DeviceAuth, error) {
	if f.cfg.Endpoint.DeviceAuthURL == "" {
		return nil, errors.New("oauth2client: device authorization: Endpoint.DeviceAuthURL is empty (the server offers no device flow)")
	}
	r, scopes := f.applyOptions(opts)
	if err := checkRequest("", r.scopes, "", "WithScopes"); err != nil {
		return nil, fmt.Errorf("oauth2client: device authorization: %w", err)
	}
	form := r.params
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	// RFC 8628 §3.1 asks for client_id; servers such as Google want it in
	// the body even when the client authenticates with Basic.
	form.Set("client_id", f.cfg.ClientID)
	client := f.client()
	resp, err := client.send(ctx, endpointCall{
		endpoint: "device authorization", field: "Config.Endpoint.DeviceAuthURL",
		url: f.cfg.Endpoint.DeviceAuthURL, form: form, auth: true,
	})
	if err != nil {
		return nil, err
	}
	da, err := parseDeviceAuth(resp, f.now())
	if err != nil {
		return nil, err
	}
	da.Scopes = slices.Clone(scopes)
	return da, nil
}

// parseDeviceAuth reads a device authorization response received at now
// (RFC 8628 §3.2, §3.3).
func parseDeviceAuth(resp *oauthhttp.Response, now time.Time) (*DeviceAuth, error) {
	raw, err := readOAuthResponse(resp, "device authorization", "application/json")
	if err != nil {
		return nil, err
	}
	da, err := deviceAuthFromResponse(raw, now)
	if err != nil {
		return nil, newError("device authorization", resp, err)
	}
	return da, nil
}

// deviceAuthFromResponse builds a DeviceAuth from a decoded response.
func deviceAuthFromResponse(raw map[string]any, now time.Time) (*DeviceAuth, error) {
	field := func(name string) (string, error) { return responseString(raw, name) }
	da := &DeviceAuth{}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{"device_code", &da.DeviceCode},
		{"user_code", &da.UserCode},
		{"verification_uri", &da.VerificationURI},
		{"verification_uri_complete", &da.VerificationURIComplete},
	} {
		var err error
		if *f.dst, err = field(f.name); err != nil {
			return nil, err
		}
	}
	if da.VerificationURI == "" {
		// Google spells it verification_url.
		var err error
		if da.VerificationURI, err = field("verification_url"); err != nil {
			return nil, err
		}
	}
	for _, f := range []struct{ name, value string }{
		{"device_code", da.DeviceCode},
		{"user_code", da.UserCode},
		{"verification_uri", da.VerificationURI},
	} {
		if f.value == "" {
			return nil, fmt.Errorf("%w: no %s", ErrMalformedResponse, f.name)
		}
	}
	if err := checkUserCode(da.UserCode); err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, value string }{
		{"verification_uri", da.VerificationURI},
		{"verification_uri_complete", da.VerificationURIComplete},
	} {
		if err := checkVerificationURI(f.name, f.value); err != nil {
			return nil, err
		}
	}
	secs, err := expiresIn(raw["expires_in"])
	if err != nil {
		return nil, err
	}
	da.ExpiresIn = secs
	if secs > 0 {
		da.Expiry = now.Add(time.Duration(secs) * time.Second)
	}
	interval, err := expiresIn(raw["interval"])
	if err != nil {
		return nil, fmt.Errorf("%w (field \"interval\")", err)
	}
	da.Interval = DefaultDeviceInterval
	if interval > 0 {
		da.Interval = time.Duration(min(interval, 3600)) * time.Second
	}
	return da, nil
}

// Bounds of the fields of a device authorization response that are shown
// to the user.
const (
	maxUserCode        = 64
	maxVerificationURI = 2 << 10
)

// checkUserCode refuses a user code that could not be shown safely on a
// terminal: over 64 bytes, not UTF-8, or with a character that is not
// printable (control, format such as bidirectional overrides, line breaks).
func checkUserCode(code string) error {
	if len(code) > maxUserCode {
		return fmt.Errorf("%w: field \"user_code\" is over %d bytes", ErrMalformedResponse, maxUserCode)
	}
	if !printable(code) {
		return fmt.Errorf("%w: field \"user_code\" has characters that cannot be shown", ErrMalformedResponse)
	}
	return nil
}

// checkVerificationURI refuses a verification URI (field name; empty means
// absent) the user could not safely be sent to: one that is not an
// absolute https URL (or http to a loopback host, for tests), that carries
// user information (https://good.example@evil.example/), that is over
// 2 KiB, or that has characters that cannot be shown.
func checkVerificationURI(name, value string) error {
	if value == "" {
		return nil
	}
	if len(value) > maxVerificationURI || !printable(value) {
		return fmt.Errorf("%w: field %q is over %d bytes or has characters that cannot be shown",
			ErrMalformedResponse, name, maxVerificationURI)
	}
	u, err := url.Parse(value)
	if err != nil || !u.IsAbs() || u.Host == "" || u.User != nil || !urlpolicy.Secure(u) {
		return fmt.Errorf("%w: field %q is not an https URL (or http on loopback) without user information",
			ErrMalformedResponse, name)
	}
	return nil
}

// printable reports whether s is UTF-8 made of printable characters
// (letters, marks, numbers, punctuation, symbols and the ASCII space).
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

// PollDevice waits for the user to approve da and returns the credentials
// (RFC 8628 §3.4, §3.5), built as [Flow.Exchange] builds them. It waits
// da.Interval (Config.Sleep) before each token request; an
// authorization_pending answer polls again, slow_down lengthens the
// interval by 5 seconds, and temporary failures (the network, HTTP 429 or
// 5xx: see [Error.Temporary]) lengthen it twofold, up to 5 in a row. The
// polls are not retried otherwise: Config.Retry does not apply to them.
// It fails with [ErrDeviceCodeExpired] on expired_token or once
// da.Expiry passes by the flow's clock, with an [*Error] matching
// [ErrAccessDenied] when the user refused, with another [*Error] for any
// other refusal, and with ctx's error when ctx is done.
func (f *Flow) PollDevice(ctx context.Context, da *DeviceAuth) (*Credentials, error) {
	if da == nil || da.DeviceCode == "" {
		return nil, errors.New("oauth2client: poll device: no device code (call DeviceAuth)")
	}
	interval := da.Interval
	if interval <= 0 {
		interval = DefaultDeviceInterval
	}
	failures := 0
	client := f.client()
	for {
		if !da.Expiry.IsZero() && !f.now().Before(da.Expiry) {
			return nil, fmt.Errorf("%w (after %d s)", ErrDeviceCodeExpired, da.ExpiresIn)
		}
		if err := f.sleep(ctx, interval); err != nil {
			return nil, fmt.Errorf("oauth2client: poll device: %w", err)
		}
		req := client.tokenRequest(f.cfg.Endpoint.TokenURL, "Config.Endpoint.TokenURL", url.Values{
			"grant_type":  {GrantTypeDeviceCode},
			"device_code": {da.DeviceCode},
		})
		req.Retry.Disable = true // this loop is the retry loop, with RFC 8628's backoff
		tok, err := RequestToken(ctx, req)
		if err == nil {
			return f.verifiedCredentials(ctx, tok, da.Scopes, "")
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("oauth2client: poll device: %w", ctx.Err())
		}
		var e *Error
		if !errors.As(err, &e) {
			return nil, err
		}
		switch e.Code {
		case "authorization_pending":
			failures = 0
			continue
		case "slow_down":
			failures = 0
			interval += slowDownStep
			continue
		case "expired_token":
			return nil, fmt.Errorf("%w: %w", ErrDeviceCodeExpired, err)
		}
		if e.Temporary() && failures < maxNetworkRetries {
			failures++
			interval *= 2 // RFC 8628 §3.5: back off on connection failures
			continue
		}
		return nil, err
	}
}

// sleep waits d (Config.Sleep), or until ctx is done.
func (f *Flow) sleep(ctx context.Context, d time.Duration) error {
	return oauthhttp.Sleep(ctx, d, f.cfg.Sleep)
}
