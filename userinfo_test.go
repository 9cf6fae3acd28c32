package oauth2client_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Issue 10, item 6: UserInfo returns the claims, checking "sub" against
// the verified ID token's (a mismatch is ErrUserInfoSubject), and refuses
// what it cannot use.
func TestUserInfo(t *testing.T) {
	t.Parallel()
	jsonFault := func(body string) *oauth2test.Fault {
		return &oauth2test.Fault{Path: oauth2test.PathUserInfo, Status: http.StatusOK, Body: body, ContentType: "application/json"}
	}
	tests := []struct {
		name    string
		fault   *oauth2test.Fault
		wantIs  error
		wantErr string // substring
	}{
		{"good", nil, nil, ""},
		{"sub mismatch", jsonFault(`{"sub":"mallory","email":"mallory@example.com"}`), oauth2client.ErrUserInfoSubject, ""},
		{"no sub", jsonFault(`{"email":"alice@example.com"}`), oauth2client.ErrMalformedResponse, ""},
		{"not an object", jsonFault(`["alice"]`), oauth2client.ErrMalformedResponse, ""},
		{"signed answer", &oauth2test.Fault{Path: oauth2test.PathUserInfo, Status: http.StatusOK, Body: "eyJ.eyJ.sig", ContentType: "application/jwt"}, nil, "application/jwt"},
		{"refused", &oauth2test.Fault{Path: oauth2test.PathUserInfo, Status: http.StatusUnauthorized}, nil, "userinfo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := appServer(t)
			creds, err := loginWith(t, srv, nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !creds.IDTokenVerified() {
				t.Fatal("the ID token was not verified")
			}
			if tt.fault != nil {
				srv.InjectFault(*tt.fault)
			}
			claims, err := creds.UserInfo(t.Context())
			switch {
			case tt.wantIs == nil && tt.wantErr == "":
				if err != nil || claims["sub"] != oauth2test.DefaultUser || claims["email"] == nil {
					t.Fatalf("UserInfo = %v, %v", claims, err)
				}
			case tt.wantIs != nil && !errors.Is(err, tt.wantIs):
				t.Errorf("UserInfo error = %v, want %v", err, tt.wantIs)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("UserInfo error = %v, want one containing %q", err, tt.wantErr)
			}
			if err != nil && claims != nil {
				t.Errorf("UserInfo returned claims with an error")
			}
		})
	}
	creds := oauth2client.NewCredentials(oauth2client.CredentialsConfig{}, &oauth2client.Token{AccessToken: "at"})
	if _, err := creds.UserInfo(t.Context()); !errors.Is(err, oauth2client.ErrNoEndpoint) {
		t.Errorf("UserInfo without an endpoint: %v, want ErrNoEndpoint", err)
	}
}

// Issue 10, item 6: the RP-initiated logout URL.
func TestLogoutURL(t *testing.T) {
	t.Parallel()
	e := oauth2client.Endpoint{EndSessionURL: "https://op.example/logout?tenant=1"}
	u, err := e.LogoutURL(oauth2client.LogoutOptions{
		IDTokenHint: "h.p.s", PostLogoutRedirectURL: "http://127.0.0.1:8080/bye", State: "st", ClientID: "app",
	})
	if err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	want := url.Values{"tenant": {"1"}, "id_token_hint": {"h.p.s"}, "post_logout_redirect_uri": {"http://127.0.0.1:8080/bye"}, "state": {"st"}, "client_id": {"app"}}
	if pu.Host != "op.example" || pu.Path != "/logout" || pu.Query().Encode() != want.Encode() {
		t.Errorf("LogoutURL = %s", u)
	}
	for _, tt := range []struct {
		name string
		e    oauth2client.Endpoint
		o    oauth2client.LogoutOptions
		want string
	}{
		{"no endpoint", oauth2client.Endpoint{}, oauth2client.LogoutOptions{}, "no endpoint"},
		{"plain http", oauth2client.Endpoint{EndSessionURL: "http://op.example/logout"}, oauth2client.LogoutOptions{}, "Endpoint.EndSessionURL"},
		{"relative redirect", e, oauth2client.LogoutOptions{ClientID: "app", PostLogoutRedirectURL: "/bye"}, "PostLogoutRedirectURL"},
		{"redirect alone", e, oauth2client.LogoutOptions{PostLogoutRedirectURL: "https://app.example/bye"}, "needs IDTokenHint or ClientID"},
	} {
		if _, err := tt.e.LogoutURL(tt.o); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: LogoutURL error = %v, want one containing %q", tt.name, err, tt.want)
		}
	}
}
