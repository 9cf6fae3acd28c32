package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/internal/oidcprovidertest"
)

// newCalendarStandIn starts a stand-in for Google Calendar's
// calendarList.list (at /calendar/v3/users/me/calendarList) that accepts
// the access tokens of an oidc-provider, which has no calendar API: it
// asks the provider's introspection endpoint, as client, about the
// request's token, and lists one calendar of the token's user when the
// token is active, was issued to client and carries scopeCalendars. A
// token without that scope gets 403, any other 401. Tokens sent as DPoP
// are accepted without checking their proof: the provider's own checks
// of DPoP are not what the sample shows.
func newCalendarStandIn(t *testing.T, introspectionURL string, client oidcprovidertest.Client) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/calendar/v3/users/me/calendarList" {
			http.NotFound(w, r)
			return
		}
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if token == "" || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "DPoP")) {
			http.Error(w, "no access token", http.StatusUnauthorized)
			return
		}
		resp, err := http.PostForm(introspectionURL, url.Values{
			"token": {token}, "client_id": {client.ID}, "client_secret": {client.Secret},
		})
		if err != nil {
			http.Error(w, "introspection failed", http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		var in struct {
			Active   bool   `json:"active"`
			Sub      string `json:"sub"`
			Scope    string `json:"scope"`
			ClientID string `json:"client_id"`
		}
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&in) != nil {
			http.Error(w, "introspection failed", http.StatusBadGateway)
			return
		}
		switch {
		case !in.Active || in.ClientID != client.ID || in.Sub == "":
			t.Logf("calendar stand-in: refused an inactive token, or one of another client")
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		case !strings.Contains(" "+in.Scope+" ", " "+scopeCalendars+" "):
			t.Logf("calendar stand-in: refused a token of %s without %s (its scope: %q)", in.Sub, scopeCalendars, in.Scope)
			http.Error(w, "insufficient scope", http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{
			"kind": "calendar#calendarList",
			"items": []map[string]any{{
				"kind": "calendar#calendarListEntry", "id": in.Sub + "@example.com",
				"summary": in.Sub, "primary": true, "accessRole": "owner",
			}},
		})
	}))
	t.Cleanup(srv.Close)
	return srv
}
