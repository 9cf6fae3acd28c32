package oauth2test_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// exchangeForm is a token exchange request for subject, an access token.
func exchangeForm(subject string, kv ...string) url.Values {
	f := url.Values{
		"grant_type":         {oauth2test.GrantTypeTokenExchange},
		"subject_token":      {subject},
		"subject_token_type": {oauth2test.TokenTypeAccessToken},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Add(kv[i], kv[i+1])
	}
	return f
}

func TestTokenExchangeGrant(t *testing.T) {
	t.Parallel()
	var seen []*oauth2test.TokenExchangeRequest
	policy := func(r *oauth2test.TokenExchangeRequest) oauth2test.TokenExchangeDecision {
		seen = append(seen, r) // requests are sequential here
		switch {
		case slices.Contains(r.Audience, "forbidden"):
			return oauth2test.TokenExchangeDecision{Deny: "invalid_target", Description: "no such audience"}
		case r.ClientID == postID:
			return oauth2test.TokenExchangeDecision{Deny: "unauthorized_client"}
		case r.SubjectToken == "foreign-jwt":
			return oauth2test.TokenExchangeDecision{User: "bob", IssuedTokenType: "urn:ietf:params:oauth:token-type:jwt"}
		}
		return oauth2test.AllowTokenExchange(r)
	}
	s := newServer(t, oauth2test.Options{TokenExchange: policy})
	subject, _ := s.MintToken(basicID, "alice", []string{"read", "write"}, 0)

	for _, tc := range []struct {
		name       string
		client     string
		form       url.Values
		status     int
		code       string
		tokenType  string
		issuedType string
		scope      string
	}{
		{"allowed", basicID, exchangeForm(subject, "audience", "api", "resource", "https://api.example/", "resource", "https://b.example/", "scope", "read"),
			http.StatusOK, "", "Bearer", oauth2test.TokenTypeAccessToken, "read"},
		{"subject's scopes by default", basicID, exchangeForm(subject), http.StatusOK, "", "Bearer", oauth2test.TokenTypeAccessToken, "read write"},
		{"foreign token accepted by the policy", basicID, exchangeForm("foreign-jwt"), http.StatusOK, "", "N_A", "urn:ietf:params:oauth:token-type:jwt", ""},
		{"unknown subject", basicID, exchangeForm("nonsense"), http.StatusBadRequest, "invalid_grant", "", "", ""},
		{"scope beyond the subject's", basicID, exchangeForm(subject, "scope", "admin"), http.StatusBadRequest, "invalid_scope", "", "", ""},
		{"invalid target", basicID, exchangeForm(subject, "audience", "forbidden"), http.StatusBadRequest, "invalid_target", "", "", ""},
		{"unauthorized client", postID, exchangeForm(subject), http.StatusBadRequest, "unauthorized_client", "", "", ""},
		{"missing subject_token", basicID, exchangeForm(""), http.StatusBadRequest, "invalid_request", "", "", ""},
		{"missing subject_token_type", basicID, url.Values{"grant_type": {oauth2test.GrantTypeTokenExchange}, "subject_token": {subject}},
			http.StatusBadRequest, "invalid_request", "", "", ""},
		{"actor token without type", basicID, exchangeForm(subject, "actor_token", "x"), http.StatusBadRequest, "invalid_request", "", "", ""},
	} {
		form := tc.form
		user, pass := tc.client, secret
		if tc.client == postID {
			form.Set("client_id", postID)
			form.Set("client_secret", secret)
			user = ""
		}
		r := postForm(t, s, oauth2test.PathToken, form, user, pass)
		if r.status != tc.status {
			t.Fatalf("%s: status %d, want %d: %s", tc.name, r.status, tc.status, r.body)
		}
		m := r.json(t)
		if tc.code != "" {
			if m["error"] != tc.code {
				t.Errorf("%s: error %v, want %s", tc.name, m["error"], tc.code)
			}
			continue
		}
		if m["token_type"] != tc.tokenType || m["issued_token_type"] != tc.issuedType || (m["scope"] != nil || tc.scope != "") && m["scope"] != tc.scope {
			t.Errorf("%s: answer %v, want token_type %s, issued_token_type %s, scope %q", tc.name, m, tc.tokenType, tc.issuedType, tc.scope)
		}
		if _, ok := m["refresh_token"]; ok {
			t.Errorf("%s: a refresh token was issued", tc.name)
		}
	}
	first := seen[0]
	if first.Subject == nil || first.Subject.User != "alice" || !slices.Equal(first.Resource, []string{"https://api.example/", "https://b.example/"}) {
		t.Errorf("policy saw %+v (subject %+v)", first, first.Subject)
	}
}

func TestTokenExchangeAudienceIntrospected(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{TokenExchange: oauth2test.AllowTokenExchange})
	subject, _ := s.MintToken(basicID, "alice", []string{"read"}, 0)
	r := postForm(t, s, oauth2test.PathToken, exchangeForm(subject, "audience", "api-a", "audience", "api-b"), basicID, secret)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	issued, _ := r.json(t)["access_token"].(string)
	info := postForm(t, s, oauth2test.PathIntrospect, url.Values{"token": {issued}}, basicID, secret).json(t)
	aud, _ := info["aud"].([]any)
	if len(aud) != 2 || aud[0] != "api-a" || aud[1] != "api-b" || info["sub"] != "alice" {
		t.Errorf("introspection %v, want aud [api-a api-b] and sub alice", info)
	}
}

func TestTokenExchangeDisabled(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{})
	subject, _ := s.MintToken(basicID, "alice", nil, 0)
	r := postForm(t, s, oauth2test.PathToken, exchangeForm(subject), basicID, secret)
	if r.status != http.StatusBadRequest || r.json(t)["error"] != "unsupported_grant_type" {
		t.Errorf("got %d %s, want unsupported_grant_type", r.status, r.body)
	}
}
