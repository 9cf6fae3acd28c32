package oauth2test_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// Request objects (RFC 9101): the signed parameters are used; a wrong
// iss, aud, client_id, an expired object or a client without a key is
// refused as invalid_request_object by the PAR endpoint, and with an error
// page by the authorization endpoint.
func TestRequestObject(t *testing.T) {
	t.Parallel()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	const jarID = "jar-client"
	s := newServer(t, oauth2test.Options{AutoApprove: true, Clients: []oauth2test.Client{
		{ID: jarID, AnyLoopbackRedirect: true, RequestObjectKey: key.Public()},
	}})
	claims := func(edit ...any) map[string]any {
		c := map[string]any{
			"iss": jarID, "aud": s.URL, "exp": epoch.Add(time.Minute).Unix(), "client_id": jarID,
			"response_type": "code", "redirect_uri": redirect, "scope": "openid", "state": "signed-state",
			"code_challenge": challenge(verifier), "code_challenge_method": "S256",
		}
		for i := 0; i+1 < len(edit); i += 2 {
			c[edit[i].(string)] = edit[i+1]
		}
		return c
	}
	sign := func(c map[string]any) string {
		jwt, err := jose.Sign(key, "", "oauth-authz-req+jwt", c)
		if err != nil {
			t.Fatal(err)
		}
		return jwt
	}
	cb := authorize(t, s, url.Values{"client_id": {jarID}, "request": {sign(claims())}, "state": {"unsigned"}})
	if cb.Get("code") == "" || cb.Get("state") != "signed-state" {
		t.Errorf("callback = %v, want a code and the signed state", cb)
	}
	for _, tt := range []struct {
		name   string
		client string
		claims map[string]any
	}{
		{"wrong iss", jarID, claims("iss", "other")},
		{"wrong aud", jarID, claims("aud", "https://evil.example")},
		{"wrong client_id", jarID, claims("client_id", publicID)},
		{"expired", jarID, claims("exp", epoch.Unix())},
		{"no exp", jarID, claims("exp", nil)},
		{"client without a key", publicID, claims("iss", publicID, "client_id", publicID)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"client_id": {tt.client}, "request": {sign(tt.claims)}}
			if r := get(t, s, oauth2test.PathAuthorize+"?"+form.Encode()); r.status != http.StatusBadRequest {
				t.Errorf("authorize: HTTP %d, want 400", r.status)
			}
			r := postForm(t, s, oauth2test.PathPAR, form, "", "")
			if r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_request_object" {
				t.Errorf("PAR: HTTP %d %s, want invalid_request_object", r.status, r.body)
			}
		})
	}
}
