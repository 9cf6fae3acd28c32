package oauth2client

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Item 12 of issue 7: Start and AuthCodeURL take a ctx and return an error,
// and per-authorization redirect URIs and scopes get NewFlow's checks.
func TestStartChecksOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    []AuthCodeOption
		wantErr string // substring; empty: success
	}{
		{"good options", []AuthCodeOption{WithRedirectURL("http://127.0.0.1:9/cb"), WithScopes("openid", "email")}, ""},
		{"relative redirect", []AuthCodeOption{WithRedirectURL("/cb")}, "WithRedirectURL: not an absolute URI"},
		{"redirect with fragment", []AuthCodeOption{WithRedirectURL("https://app.example/cb#x")}, "WithRedirectURL: must not have a fragment"},
		{"redirect through SetParam", []AuthCodeOption{SetParam("redirect_uri", "cb")}, "WithRedirectURL: not an absolute URI"},
		{"scope with a quote", []AuthCodeOption{WithScopes("openid", `a"b`)}, "WithScopes[1]: "},
		{"empty scope", []AuthCodeOption{WithScopes("")}, "WithScopes[0]: "},
		{"scope with a space", []AuthCodeOption{WithScopes("a b")}, "WithScopes[0]: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			flow, err := NewFlow(testConfig("https://issuer.example"))
			if err != nil {
				t.Fatal(err)
			}
			st, err := flow.Start(t.Context(), tt.opts...)
			u, err2 := flow.AuthCodeURL(t.Context(), tt.opts...)
			if tt.wantErr == "" {
				if err != nil || err2 != nil || st == nil || u == "" {
					t.Fatalf("Start = %v, %v; AuthCodeURL = %q, %v", st, err, u, err2)
				}
				return
			}
			for _, e := range []error{err, err2} {
				if e == nil || !strings.Contains(e.Error(), tt.wantErr) || !strings.HasPrefix(e.Error(), "oauth2client: start authorization: ") {
					t.Errorf("error = %v, want one containing %q", e, tt.wantErr)
				}
			}
			if st != nil || u != "" {
				t.Errorf("Start = %v, AuthCodeURL = %q; want nothing on an error", st, u)
			}
			if flow.Pending() != nil {
				t.Error("a failed AuthCodeURL left a pending authorization")
			}
		})
	}
}

// A failed AuthCodeURL keeps the authorization pending before; a done
// context fails Start.
func TestAuthCodeURLErrorKeepsPending(t *testing.T) {
	t.Parallel()
	flow, err := NewFlow(testConfig("https://issuer.example"))
	if err != nil {
		t.Fatal(err)
	}
	mustAuthCodeURL(t, flow)
	before := flow.Pending()
	if _, err := flow.AuthCodeURL(t.Context(), WithScopes("")); err == nil {
		t.Fatal("AuthCodeURL with an empty scope succeeded")
	}
	if got := flow.Pending(); got == nil || got.State != before.State {
		t.Errorf("pending authorization changed by a failed AuthCodeURL")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := flow.Start(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Start with a canceled context: %v, want context.Canceled", err)
	}
}

// DeviceAuth checks per-authorization scopes as Start does, before any
// request; NewFlow's refusal of a plain-http endpoint matches
// urlpolicy.ErrInsecure with errors.Is.
func TestDeviceAuthChecksScopesAndNewFlowWrapsURLError(t *testing.T) {
	t.Parallel()
	cfg := testConfig("https://issuer.example")
	cfg.Endpoint.DeviceAuthURL = "https://issuer.example/device"
	flow, err := NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := flow.DeviceAuth(t.Context(), WithScopes(`a"b`)); err == nil || !strings.Contains(err.Error(), "WithScopes[0]") {
		t.Errorf("DeviceAuth with a bad scope: %v, want an error naming WithScopes[0]", err)
	}
	cfg.Endpoint.TokenURL = "http://issuer.example/token"
	if _, err := NewFlow(cfg); !errors.Is(err, urlpolicy.ErrInsecure) || !strings.Contains(err.Error(), "Endpoint.TokenURL") {
		t.Errorf("NewFlow with a plain-http token URL: %v, want urlpolicy.ErrInsecure naming Endpoint.TokenURL", err)
	}
}

// The credentials of a flow wait between refresh retries with the flow's
// Sleep (found in review: they slept on a real timer).
func TestFlowCredentialsRetrySleep(t *testing.T) {
	t.Parallel()
	var slept atomic.Int32
	cfg := testConfig("https://issuer.example")
	cfg.Sleep = func(context.Context, time.Duration) error { slept.Add(1); return nil }
	flow, err := NewFlow(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := flow.credentials(nil, nil).Config().Retry.Sleep; got == nil {
		t.Fatal("the flow's credentials have no retry Sleep")
	} else if got(t.Context(), time.Second); slept.Load() != 1 {
		t.Error("the credentials' retry Sleep is not the flow's")
	}
}
