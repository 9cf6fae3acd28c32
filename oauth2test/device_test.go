package oauth2test_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// deviceCode starts a device authorization for the public client.
func deviceCode(t *testing.T, s *oauth2test.Server) map[string]any {
	t.Helper()
	r := postForm(t, s, oauth2test.PathDeviceCode, url.Values{"client_id": {publicID}, "scope": {"openid email"}}, "", "")
	if r.status != http.StatusOK {
		t.Fatalf("device code: status %d, body %s", r.status, r.body)
	}
	return r.json(t)
}

// poll makes one device token request for the public client and returns
// the error code, or "" with the response on success.
func poll(t *testing.T, s *oauth2test.Server, dc string) (string, map[string]any) {
	t.Helper()
	r := postForm(t, s, oauth2test.PathToken, url.Values{
		"grant_type":  {oauth2test.GrantTypeDeviceCode},
		"device_code": {dc},
		"client_id":   {publicID},
	}, "", "")
	m := r.json(t)
	if r.status == http.StatusOK {
		return "", m
	}
	code, _ := m["error"].(string)
	return code, m
}

func TestDeviceAuthorizationResponse(t *testing.T) {
	s := newServer(t, oauth2test.Options{DeviceInterval: 3 * time.Second})
	m := deviceCode(t, s)
	uc, _ := m["user_code"].(string)
	if len(uc) != 9 || uc[4] != '-' {
		t.Errorf("user_code %q, want XXXX-XXXX", uc)
	}
	if got, want := m["verification_uri"], s.URL+oauth2test.PathDevice; got != want {
		t.Errorf("verification_uri %v, want %v", got, want)
	}
	if got, want := m["verification_uri_complete"], s.URL+oauth2test.PathDevice+"?user_code="+uc; got != want {
		t.Errorf("verification_uri_complete %v, want %v", got, want)
	}
	if m["interval"] != 3.0 || m["expires_in"] != oauth2test.DefaultCodeTTL.Seconds() {
		t.Errorf("interval %v, expires_in %v", m["interval"], m["expires_in"])
	}
	if dc, _ := m["device_code"].(string); dc == "" {
		t.Error("no device_code")
	}

	d := get(t, s, oauth2test.PathOIDCConfig).json(t)
	if d["device_authorization_endpoint"] != s.URL+oauth2test.PathDeviceCode {
		t.Errorf("discovery device_authorization_endpoint = %v", d["device_authorization_endpoint"])
	}
	if gts, _ := d["grant_types_supported"].([]any); !containsAny(gts, oauth2test.GrantTypeDeviceCode) {
		t.Errorf("grant_types_supported %v lacks the device grant", gts)
	}
}

func containsAny(xs []any, want string) bool {
	for _, x := range xs {
		if x == want {
			return true
		}
	}
	return false
}

func TestDeviceAuthorizationErrors(t *testing.T) {
	s := newServer(t, oauth2test.Options{})
	tests := []struct {
		name       string
		form       url.Values
		user, pass string
		status     int
		code       string
	}{
		{"no client", url.Values{"scope": {"openid"}}, "", "", http.StatusUnauthorized, "invalid_client"},
		{"unknown client", url.Values{"client_id": {"nobody"}}, "", "", http.StatusUnauthorized, "invalid_client"},
		{"wrong secret", url.Values{"client_id": {basicID}}, basicID, "wrong", http.StatusUnauthorized, "invalid_client"},
		{"confidential ok", url.Values{"client_id": {basicID}}, basicID, secret, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := postForm(t, s, oauth2test.PathDeviceCode, tt.form, tt.user, tt.pass)
			if r.status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.status, tt.status, r.body)
			}
			if got := r.json(t)["error"]; tt.code != "" && got != tt.code {
				t.Errorf("error %v, want %s", got, tt.code)
			}
		})
	}
}

func TestDeviceGrant(t *testing.T) {
	tests := []struct {
		name  string
		opts  oauth2test.Options
		steps func(t *testing.T, s *oauth2test.Server, dc, uc string)
	}{
		{"pending, slow_down, approve, reuse", oauth2test.Options{}, func(t *testing.T, s *oauth2test.Server, dc, uc string) {
			wantPoll(t, s, dc, "authorization_pending")
			wantPoll(t, s, dc, "slow_down") // no time passed
			s.Advance(oauth2test.DefaultDeviceInterval + 5*time.Second)
			wantPoll(t, s, dc, "authorization_pending")
			if err := s.ApproveDevice(strings.ToLower(strings.ReplaceAll(uc, "-", "")), "bob"); err != nil {
				t.Fatal(err)
			}
			s.Advance(time.Minute)
			code, m := poll(t, s, dc)
			if code != "" {
				t.Fatalf("after approval: %s", code)
			}
			if m["access_token"] == nil || m["refresh_token"] == nil || m["id_token"] == nil || m["scope"] != "openid email" {
				t.Errorf("token response %v", m)
			}
			wantPoll(t, s, dc, "invalid_grant")
			if err := s.ApproveDevice(uc, ""); !errors.Is(err, oauth2test.ErrUnknownUserCode) {
				t.Errorf("approving a used code: %v", err)
			}
		}},
		{"deny", oauth2test.Options{}, func(t *testing.T, s *oauth2test.Server, dc, uc string) {
			if err := s.DenyDevice(uc); err != nil {
				t.Fatal(err)
			}
			wantPoll(t, s, dc, "access_denied")
			wantPoll(t, s, dc, "invalid_grant")
		}},
		{"expired", oauth2test.Options{CodeTTL: time.Minute}, func(t *testing.T, s *oauth2test.Server, dc, uc string) {
			s.Advance(time.Minute)
			wantPoll(t, s, dc, "expired_token")
			if err := s.ApproveDevice(uc, ""); !errors.Is(err, oauth2test.ErrUnknownUserCode) {
				t.Errorf("approving an expired code: %v", err)
			}
		}},
		{"auto-approve", oauth2test.Options{AutoApprove: true}, func(t *testing.T, s *oauth2test.Server, dc, uc string) {
			if code, _ := poll(t, s, dc); code != "" {
				t.Fatalf("auto-approved poll: %s", code)
			}
		}},
		{"other client", oauth2test.Options{}, func(t *testing.T, s *oauth2test.Server, dc, uc string) {
			r := postForm(t, s, oauth2test.PathToken, url.Values{
				"grant_type": {oauth2test.GrantTypeDeviceCode}, "device_code": {dc},
			}, basicID, secret)
			if got := r.json(t)["error"]; got != "invalid_grant" {
				t.Errorf("error %v, want invalid_grant", got)
			}
		}},
		{"unknown code", oauth2test.Options{}, func(t *testing.T, s *oauth2test.Server, dc, uc string) {
			wantPoll(t, s, "dc-nope", "invalid_grant")
			wantPoll(t, s, "", "invalid_request")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, tt.opts)
			m := deviceCode(t, s)
			tt.steps(t, s, m["device_code"].(string), m["user_code"].(string))
			if n := s.TokenRequests(oauth2test.GrantTypeDeviceCode); n == 0 {
				t.Error("device grant requests not counted")
			}
		})
	}
}

func wantPoll(t *testing.T, s *oauth2test.Server, dc, want string) {
	t.Helper()
	if got, m := poll(t, s, dc); got != want {
		t.Fatalf("poll: error %q, want %q (%v)", got, want, m)
	}
}

// TestDeviceVerificationPage plays the person at the verification page.
func TestDeviceVerificationPage(t *testing.T) {
	tests := []struct {
		name, action, want string
	}{
		{"allow", "allow", ""},
		{"deny", "deny", "access_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newServer(t, oauth2test.Options{})
			m := deviceCode(t, s)
			dc, uc := m["device_code"].(string), m["user_code"].(string)

			entry := get(t, s, oauth2test.PathDevice)
			if entry.status != http.StatusOK || !strings.Contains(entry.body, `name="user_code"`) {
				t.Fatalf("entry page: %d %s", entry.status, entry.body)
			}
			confirm := get(t, s, oauth2test.PathDevice+"?user_code="+strings.ToLower(uc))
			if confirm.status != http.StatusOK || !strings.Contains(confirm.body, uc) || !strings.Contains(confirm.body, publicID) {
				t.Fatalf("confirm page: %d %s", confirm.status, confirm.body)
			}
			done := postForm(t, s, oauth2test.PathDevice, url.Values{"user_code": {uc}, "action": {tt.action}, "user": {"carol"}}, "", "")
			if done.status != http.StatusOK || !strings.Contains(done.body, `id="device-result"`) {
				t.Fatalf("decision: %d %s", done.status, done.body)
			}
			wantPoll(t, s, dc, tt.want)

			again := postForm(t, s, oauth2test.PathDevice, url.Values{"user_code": {uc}, "action": {"allow"}}, "", "")
			if again.status != http.StatusBadRequest {
				t.Errorf("second decision: status %d", again.status)
			}
			if r := get(t, s, oauth2test.PathDevice+"?user_code=BBBB-BBBB"); r.status != http.StatusNotFound {
				t.Errorf("unknown user code page: status %d", r.status)
			}
		})
	}
}

func TestDeviceMetrics(t *testing.T) {
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	m := deviceCode(t, s)
	poll(t, s, m["device_code"].(string))
	body := get(t, s, oauth2test.PathMetrics).body
	for _, want := range []string{
		`oauth2test_token_requests_total{grant_type="urn:ietf:params:oauth:grant-type:device_code"} 1`,
		`oauth2test_tokens_issued_total{kind="device_code"} 1`,
		`oauth2test_http_requests_total{path="/device/code",code="200"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
}

// A fractional interval is advertised rounded up, so a client polling at
// the advertised whole seconds is never too fast.
func TestDeviceIntervalRoundsUp(t *testing.T) {
	for _, tt := range []struct {
		interval time.Duration
		want     float64
	}{
		{1500 * time.Millisecond, 2},
		{100 * time.Millisecond, 1},
		{3 * time.Second, 3},
	} {
		t.Run(tt.interval.String(), func(t *testing.T) {
			m := deviceCode(t, newServer(t, oauth2test.Options{DeviceInterval: tt.interval}))
			if m["interval"] != tt.want {
				t.Errorf("interval %v, want %v", m["interval"], tt.want)
			}
		})
	}
}
