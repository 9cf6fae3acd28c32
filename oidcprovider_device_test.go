package oauth2client_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// TestOIDCProviderDeviceFlow runs the device authorization grant (RFC 8628)
// against oidc-provider: the device asks for codes, polls once while the
// user has not yet approved (authorization_pending), the user approves on
// the provider's pages, and the next poll gets the tokens. Public and
// confidential (client_secret_basic, client_secret_post) clients.
func TestOIDCProviderDeviceFlow(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	ctx := context.Background()
	if endpoint.DeviceAuthURL == "" {
		t.Fatal("oidc-provider advertises no device_authorization_endpoint")
	}
	tests := []struct {
		name   string
		client oidcprovidertest.Client
		style  oauth2client.AuthStyle
	}{
		{"public", p.Public, oauth2client.AuthStyleAuto},
		{"confidential basic", p.Basic, oauth2client.AuthStyleAuto},
		{"confidential post", p.Post, oauth2client.AuthStylePost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu       sync.Mutex // guards sleeps, approved
				sleeps   []time.Duration
				da       *oauth2client.DeviceAuth
				approved error
			)
			flow, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID:     tt.client.ID,
				ClientSecret: tt.client.Secret,
				Endpoint:     *endpoint,
				Scopes:       []string{"openid", "email", "offline_access"},
				AuthStyle:    tt.style,
				// The first poll comes at once and finds the authorization
				// pending; the user approves before the second.
				Sleep: func(ctx context.Context, d time.Duration) error {
					mu.Lock()
					defer mu.Unlock()
					sleeps = append(sleeps, d)
					if len(sleeps) == 2 {
						approved = oidcprovidertest.ApproveDevice(ctx, nil, da.VerificationURI, da.UserCode, "alice")
					}
					return nil
				},
			})
			if err != nil {
				t.Fatal(err)
			}
			da, err = flow.DeviceAuth(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if da.VerificationURIComplete == "" || da.Interval != oauth2client.DefaultDeviceInterval {
				t.Errorf("device authorization %+v: want verification_uri_complete and the default interval", da.LogValue())
			}
			creds, err := flow.PollDevice(ctx, da)
			mu.Lock()
			defer mu.Unlock()
			if approved != nil {
				t.Fatalf("approving on the provider's pages: %v", approved)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(sleeps) != 2 {
				t.Errorf("%d polls (%v), want 2: one pending, one with tokens", len(sleeps), sleeps)
			}
			tok := creds.CurrentToken()
			if tok.RefreshToken == "" || tok.IDToken == "" {
				t.Errorf("token lacks a refresh or ID token (refresh %t, id %t)", tok.RefreshToken != "", tok.IDToken != "")
			}
			if sub := creds.IDTokenClaims()["sub"]; sub != "alice" {
				t.Errorf("ID token sub = %v, want alice", sub)
			}
			if _, err := creds.Refresh(ctx); err != nil {
				t.Errorf("refresh: %v", err)
			}
		})
	}

	t.Run("unknown device code", func(t *testing.T) {
		flow, err := oauth2client.NewFlow(oauth2client.Config{
			ClientID: p.Public.ID, Endpoint: *endpoint, Scopes: []string{"openid"},
			Sleep: func(context.Context, time.Duration) error { return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		da, err := flow.DeviceAuth(ctx)
		if err != nil {
			t.Fatal(err)
		}
		da.DeviceCode += "x" // the provider does not know it
		if _, err := flow.PollDevice(ctx, da); !errors.Is(err, oauth2client.ErrInvalidGrant) && !errors.Is(err, oauth2client.ErrDeviceCodeExpired) {
			t.Errorf("unknown device code: %v, want invalid_grant or expired_token", err)
		}
	})
}
