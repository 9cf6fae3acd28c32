package oauth2test

import (
	"crypto/rand"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Paths of the device authorization grant (RFC 8628), relative to the
// issuer URL.
const (
	// PathDeviceCode is the device authorization endpoint (RFC 8628 §3.1).
	PathDeviceCode = "/device/code"
	// PathDevice is the verification page where a person enters the user
	// code and allows or denies the device (RFC 8628 §3.3).
	PathDevice = "/device"
)

// GrantTypeDeviceCode is the grant_type of device access token requests
// (RFC 8628 §3.4).
const GrantTypeDeviceCode = "urn:ietf:params:oauth:grant-type:device_code"

// DefaultDeviceInterval is the polling interval the server asks for when
// Options.DeviceInterval is zero.
const DefaultDeviceInterval = 5 * time.Second

// userCodeAlphabet has no vowels, so user codes spell no words, and no
// characters easily confused (RFC 8628 §6.1).
const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

// deviceState is where a device authorization stands.
type deviceState int

const (
	devicePending deviceState = iota
	deviceApproved
	deviceDenied
)

// deviceAuth is an issued device code.
type deviceAuth struct {
	clientID string
	userCode string // normalized: 8 letters, no dash
	scopes   []string
	expiry   time.Time
	interval time.Duration // raised by slow_down
	lastPoll time.Time     // zero before the first poll
	state    deviceState
	user     string // set when approved
}

// ErrUnknownUserCode is returned by [Server.ApproveDevice] and
// [Server.DenyDevice] for a user code that is unknown, used, decided or
// expired.
var ErrUnknownUserCode = errors.New("oauth2test: unknown, used or expired user code")

// newUserCode returns a random user code of 8 letters (about 34 bits).
// Callers hold s.mu.
func (s *Server) newUserCode() string {
	for {
		b := make([]byte, 8)
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		for i := range b {
			b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
		}
		if _, taken := s.userCodes[string(b)]; !taken {
			return string(b)
		}
	}
}

// normalizeUserCode uppercases a user code as typed and drops dashes and
// spaces (RFC 8628 §6.1).
func normalizeUserCode(c string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, c)
}

// displayUserCode formats a normalized user code as XXXX-XXXX.
func displayUserCode(c string) string {
	if len(c) != 8 {
		return c
	}
	return c[:4] + "-" + c[4:]
}

// deviceInterval is the polling interval asked of clients.
func (s *Server) deviceInterval() time.Duration {
	if s.opts.DeviceInterval > 0 {
		return s.opts.DeviceInterval
	}
	return DefaultDeviceInterval
}

// serveDeviceCode is the device authorization endpoint (RFC 8628 §3.1,
// §3.2). With Options.AutoApprove the authorization is approved at once for
// the default user.
func (s *Server) serveDeviceCode(w http.ResponseWriter, r *http.Request) {
	c, ok := s.formClient(w, r, false)
	if !ok {
		return
	}
	s.mu.Lock()
	dc := "dc-" + randomString(24)
	da := &deviceAuth{
		clientID: c.ID,
		userCode: s.newUserCode(),
		scopes:   strings.Fields(r.PostForm.Get("scope")),
		expiry:   s.now().Add(s.opts.CodeTTL),
		interval: s.deviceInterval(),
	}
	if s.opts.AutoApprove {
		da.state, da.user = deviceApproved, s.opts.DefaultUser
	}
	s.devices[dc] = da
	s.userCodes[da.userCode] = dc
	s.metrics.issued["device_code"]++
	s.mu.Unlock()
	verify := s.URL + PathDevice
	writeJSON(w, http.StatusOK, map[string]any{
		"device_code":               dc,
		"user_code":                 displayUserCode(da.userCode),
		"verification_uri":          verify,
		"verification_uri_complete": verify + "?" + url.Values{"user_code": {displayUserCode(da.userCode)}}.Encode(),
		"expires_in":                int64(s.opts.CodeTTL.Seconds()),
		"interval":                  int64((da.interval + time.Second - 1) / time.Second), // rounded up
	})
}

// deviceGrant is the device_code grant (RFC 8628 §3.4, §3.5).
func (s *Server) deviceGrant(r *http.Request, c *Client) (*tokenResponse, *oauthError) {
	dc := r.PostForm.Get("device_code")
	if dc == "" {
		return nil, invalidRequest("missing device_code")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	da, ok := s.devices[dc]
	switch {
	case !ok:
		return nil, invalidGrant("unknown or used device_code")
	case da.clientID != c.ID:
		return nil, invalidGrant("device_code was issued to another client")
	}
	now := s.now()
	if !now.Before(da.expiry) {
		s.dropDevice(dc)
		return nil, &oauthError{http.StatusBadRequest, "expired_token", "the device code expired"}
	}
	early := !da.lastPoll.IsZero() && now.Sub(da.lastPoll) < da.interval
	da.lastPoll = now
	switch da.state {
	case deviceDenied:
		s.dropDevice(dc)
		return nil, &oauthError{http.StatusBadRequest, "access_denied", "the user denied the device"}
	case devicePending:
		if early {
			da.interval += 5 * time.Second
			return nil, &oauthError{http.StatusBadRequest, "slow_down", "polled faster than the interval"}
		}
		return nil, &oauthError{http.StatusBadRequest, "authorization_pending", "the user has not yet decided"}
	}
	s.dropDevice(dc)
	g := s.newGrant(c.ID, da.user, da.scopes)
	return s.tokens(g, g.scopes, "", true)
}

// dropDevice forgets a device code. Callers hold s.mu.
func (s *Server) dropDevice(dc string) {
	if da := s.devices[dc]; da != nil {
		delete(s.userCodes, da.userCode)
	}
	delete(s.devices, dc)
}

// decideDevice approves (user != "") or denies the pending device
// authorization with userCode.
func (s *Server) decideDevice(userCode, user string, approve bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	da := s.devices[s.userCodes[normalizeUserCode(userCode)]]
	if da == nil || da.state != devicePending || !s.now().Before(da.expiry) {
		return ErrUnknownUserCode
	}
	if approve {
		if user == "" {
			user = s.opts.DefaultUser
		}
		da.state, da.user = deviceApproved, user
	} else {
		da.state = deviceDenied
	}
	return nil
}

// ApproveDevice approves the pending device authorization with userCode
// (as shown, e.g. "BCDF-GHJK", or typed in lower case without the dash)
// for user (empty means the default user), as a person on the verification
// page would. It returns [ErrUnknownUserCode] if there is no such pending
// authorization.
func (s *Server) ApproveDevice(userCode, user string) error {
	return s.decideDevice(userCode, user, true)
}

// DenyDevice denies the pending device authorization with userCode; the
// device's next poll gets access_denied. It returns [ErrUnknownUserCode]
// if there is no such pending authorization.
func (s *Server) DenyDevice(userCode string) error {
	return s.decideDevice(userCode, "", false)
}

// serveDevice is the verification page (RFC 8628 §3.3): GET without a
// user code asks for one; GET with ?user_code= asks to allow or deny.
func (s *Server) serveDevice(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("user_code")
	if code == "" {
		setPageHeaders(w)
		w.WriteHeader(http.StatusOK)
		deviceEntryTmpl().Execute(w, nil)
		return
	}
	norm := normalizeUserCode(code)
	s.mu.Lock()
	da := s.devices[s.userCodes[norm]]
	ok := da != nil && da.state == devicePending && s.now().Before(da.expiry)
	var client string
	var scopes []string
	if ok {
		client, scopes = da.clientID, da.scopes
	}
	s.mu.Unlock()
	if !ok {
		errorPage(w, http.StatusNotFound, "Unknown, used or expired code. Check the code your device shows, or start again on the device.")
		return
	}
	setPageHeaders(w)
	w.WriteHeader(http.StatusOK)
	deviceConfirmTmpl().Execute(w, map[string]any{
		"Client":   client,
		"Scopes":   scopes,
		"UserCode": displayUserCode(norm),
		"User":     s.opts.DefaultUser,
	})
}

// serveDeviceDecision handles the verification page's POST.
func (s *Server) serveDeviceDecision(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		errorPage(w, http.StatusBadRequest, "Malformed form.")
		return
	}
	code := r.PostForm.Get("user_code")
	var err error
	var msg string
	switch r.PostForm.Get("action") {
	case "allow":
		err = s.ApproveDevice(code, strings.TrimSpace(r.PostForm.Get("user")))
		msg = "Device approved. You may return to your device."
	case "deny":
		err = s.DenyDevice(code)
		msg = "Device denied. You may close this window."
	default:
		errorPage(w, http.StatusBadRequest, "Choose Allow or Deny.")
		return
	}
	if err != nil {
		errorPage(w, http.StatusBadRequest, "Unknown, used or expired code. Start again on the device.")
		return
	}
	setPageHeaders(w)
	w.WriteHeader(http.StatusOK)
	deviceDoneTmpl().Execute(w, msg)
}

var deviceEntryTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("device-entry").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oauth2test: connect a device</title>` + pageStyle + `</head>
<body>
<h1>Connect a device</h1>
<p>This is oauth2test, an authorization server for tests and development.</p>
<form method="get" action="` + PathDevice + `">
<p><label>Enter the code your device shows: <input type="text" name="user_code" autocomplete="off" autofocus></label></p>
<p><button type="submit" id="continue">Continue</button></p>
</form>
</body></html>
`))
})

var deviceConfirmTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("device-confirm").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oauth2test: authorize a device</title>` + pageStyle + `</head>
<body>
<h1>Authorize <code>{{.Client}}</code> on a device?</h1>
<p>Check that your device shows the code <code id="user-code">{{.UserCode}}</code>.</p>
` + scopesFragment + `<form method="post" action="` + PathDevice + `">
<input type="hidden" name="user_code" value="{{.UserCode}}">
` + approveFragment + `</form>
</body></html>
`))
})

var deviceDoneTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("device-done").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>oauth2test: device</title>` + pageStyle + `</head>
<body><h1>Done</h1><p id="device-result">{{.}}</p></body></html>
`))
})
