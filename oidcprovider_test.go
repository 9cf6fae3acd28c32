package oauth2client_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// TestOIDCProvider runs the library against oidc-provider, a certified
// OpenID Provider nobody here wrote: the authorization-code flow with PKCE for
// a public client and for confidential clients authenticating with
// client_secret_basic and client_secret_post, then refresh, userinfo through
// the authorized client, introspection and revocation.
func TestOIDCProvider(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	ctx := context.Background()
	tests := []struct {
		name       string
		client     oidcprovidertest.Client
		style      oauth2client.AuthStyle
		wantStyle  oauth2client.AuthStyle
		wantRotate bool // the provider rotates this client's refresh tokens
	}{
		{"public PKCE", p.Public, oauth2client.AuthStyleAuto, oauth2client.AuthStyleNone, true},
		{"confidential basic", p.Basic, oauth2client.AuthStyleAuto, oauth2client.AuthStyleBasic, false},
		{"confidential post", p.Post, oauth2client.AuthStylePost, oauth2client.AuthStylePost, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			flow, err := oauth2client.NewFlow(oauth2client.Config{
				ClientID:     tt.client.ID,
				ClientSecret: tt.client.Secret,
				Endpoint:     *endpoint,
				RedirectURL:  "http://127.0.0.1:53682/callback",
				Scopes:       []string{"openid", "email", "offline_access"},
				AuthStyle:    tt.style,
			})
			if err != nil {
				t.Fatal(err)
			}
			authURL, err := flow.AuthCodeURL(ctx)
			if err != nil {
				t.Fatal(err)
			}
			creds, callback := loginExchange(t, flow, authURL, "alice")
			if !callback.Has("iss") {
				t.Errorf("callback without iss: the RFC 9207 check is not exercised")
			}
			if got := creds.Config().AuthStyle; got != tt.wantStyle {
				t.Errorf("auth style %v, want %v", got, tt.wantStyle)
			}
			first := creds.CurrentToken()
			if first.RefreshToken == "" || first.IDToken == "" {
				t.Fatalf("token lacks a refresh token or ID token (refresh %t, id %t)", first.RefreshToken != "", first.IDToken != "")
			}
			if sub := creds.IDTokenClaims()["sub"]; sub != "alice" {
				t.Errorf("ID token sub = %v, want alice", sub)
			}

			var seen []*oauth2client.Token
			creds.OnToken(func(tok *oauth2client.Token) { seen = append(seen, tok) })
			second, err := creds.Refresh(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if second.AccessToken == first.AccessToken {
				t.Error("refresh returned the same access token")
			}
			if rotated := second.RefreshToken != first.RefreshToken; rotated != tt.wantRotate {
				t.Errorf("refresh token rotated = %t, want %t", rotated, tt.wantRotate)
			}
			if len(seen) != 1 || seen[0] != second {
				t.Errorf("listener saw %d tokens, want the refreshed one", len(seen))
			}
			if tt.wantRotate {
				// The rotated token is the one kept: a second refresh works
				// (reusing the old one would revoke the whole grant).
				if _, err := creds.Refresh(ctx); err != nil {
					t.Fatalf("second refresh with the rotated token: %v", err)
				}
			}

			checkUserInfo(t, creds, endpoint.UserInfoURL, "alice")

			scopes, err := creds.RetrieveScopes(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Contains(scopes, "openid") || !creds.HasScopes("openid", "email") {
				t.Errorf("introspected scopes %v lack openid/email", scopes)
			}

			if err := creds.Revoke(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := creds.Token(ctx); !errors.Is(err, oauth2client.ErrInvalidCredentials) {
				t.Errorf("Token after revoke: %v, want ErrInvalidCredentials", err)
			}
		})
	}
}

// TestOIDCProviderDenied checks that the user pressing Cancel becomes
// ErrAccessDenied, with the provider's state and iss checked first.
func TestOIDCProviderDenied(t *testing.T) {
	p := oidcprovidertest.Start(t)
	endpoint := p.Endpoint(t)
	ctx := context.Background()
	flow, err := oauth2client.NewFlow(oauth2client.Config{
		ClientID:    p.Public.ID,
		Endpoint:    *endpoint,
		RedirectURL: "http://127.0.0.1:53682/callback",
		Scopes:      []string{"openid"},
	})
	if err != nil {
		t.Fatal(err)
	}
	authURL, err := flow.AuthCodeURL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	callback, err := oidcprovidertest.Deny(ctx, nil, authURL, "bob")
	if err != nil {
		t.Fatal(err)
	}
	_, err = flow.ExchangeCallback(ctx, callback.Query())
	var ae *oauth2client.AuthorizationError
	if !errors.Is(err, oauth2client.ErrAccessDenied) || !errors.As(err, &ae) {
		t.Fatalf("ExchangeCallback after Deny: %v, want an *AuthorizationError for access_denied", err)
	}
}

// checkUserInfo asks url for the claims through creds' client (its
// Transport) and checks that they are about sub.
func checkUserInfo(t *testing.T, creds *oauth2client.Credentials, url, sub string) {
	t.Helper()
	resp, err := creds.Client(nil).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&info)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || info["sub"] != sub {
		t.Fatalf("userinfo: HTTP %d, %v, err %v", resp.StatusCode, info, err)
	}
}

// loginExchange signs user in at oidc-provider's pages for authURL and
// exchanges the callback with flow. It returns the credentials and the
// callback's query.
func loginExchange(t *testing.T, flow *oauth2client.Flow, authURL, user string) (*oauth2client.Credentials, url.Values) {
	t.Helper()
	callback, err := oidcprovidertest.Login(t.Context(), nil, authURL, user)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := flow.ExchangeCallback(t.Context(), callback.Query())
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	return creds, callback.Query()
}
