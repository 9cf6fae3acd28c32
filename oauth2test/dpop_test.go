package oauth2test_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// prover returns a DPoP prover on the tests' fixed clock, moved by skew.
func prover(t *testing.T, skew time.Duration) *dpop.Prover {
	t.Helper()
	p, err := dpop.NewProver(nil, &dpop.Options{Now: func() time.Time { return epoch.Add(skew) }})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func proofFor(t *testing.T, p *dpop.Prover, method, u, tok string) string {
	t.Helper()
	proof, err := p.Proof(method, u, tok)
	if err != nil {
		t.Fatal(err)
	}
	return proof
}

// tokenWithProof posts form to the token endpoint with a DPoP header.
func tokenWithProof(t *testing.T, s *oauth2test.Server, form url.Values, proof string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+oauth2test.PathToken, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if proof != "" {
		req.Header.Set("DPoP", proof)
	}
	return do(t, noRedirect(s), req)
}

// dpopCodeTokens runs the code flow with a DPoP proof by p.
func dpopCodeTokens(t *testing.T, s *oauth2test.Server, p *dpop.Prover) map[string]any {
	t.Helper()
	cb := authorize(t, s, authQuery())
	r := tokenWithProof(t, s, url.Values{
		"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "redirect_uri": {redirect},
		"client_id": {publicID}, "code_verifier": {verifier},
	}, proofFor(t, p, "POST", s.URL+oauth2test.PathToken, ""))
	if r.status != http.StatusOK {
		t.Fatalf("token: status %d, body %s", r.status, r.body)
	}
	return r.json(t)
}

func TestDPoPBoundTokens(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	p, other := prover(t, 0), prover(t, 0)
	tr := dpopCodeTokens(t, s, p)
	if tr["token_type"] != "DPoP" {
		t.Fatalf("token_type = %v, want DPoP", tr["token_type"])
	}
	at, rt := tr["access_token"].(string), tr["refresh_token"].(string)
	api := s.URL + oauth2test.PathCalendarList
	for _, tc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"proof with ath", []string{"Authorization", "DPoP " + at, "DPoP", proofFor(t, p, "GET", api+"?x=1", at)}, http.StatusOK},
		{"as a bearer token", bearer(at), http.StatusUnauthorized},
		{"without proof", []string{"Authorization", "DPoP " + at}, http.StatusUnauthorized},
		{"proof by another key", []string{"Authorization", "DPoP " + at, "DPoP", proofFor(t, other, "GET", api, at)}, http.StatusUnauthorized},
		{"proof without ath", []string{"Authorization", "DPoP " + at, "DPoP", proofFor(t, p, "GET", api, "")}, http.StatusUnauthorized},
		{"proof for another method", []string{"Authorization", "DPoP " + at, "DPoP", proofFor(t, p, "POST", api, at)}, http.StatusUnauthorized},
		{"proof for another URL", []string{"Authorization", "DPoP " + at, "DPoP", proofFor(t, p, "GET", s.URL+oauth2test.PathUserInfo, at)}, http.StatusUnauthorized},
	} {
		r := get(t, s, oauth2test.PathCalendarList, tc.header...)
		if r.status != tc.want {
			t.Errorf("%s: status %d, want %d (body %s)", tc.name, r.status, tc.want, r.body)
		}
		if r.status == http.StatusUnauthorized && tc.name != "as a bearer token" && !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "DPoP ") {
			t.Errorf("%s: WWW-Authenticate %q", tc.name, r.header.Get("WWW-Authenticate"))
		}
	}

	tokURL := s.URL + oauth2test.PathToken
	for _, tc := range []struct {
		name, proof, wantErr string
	}{
		{"refresh without proof", "", "invalid_grant"},
		{"refresh by another key", proofFor(t, other, "POST", tokURL, ""), "invalid_grant"},
		{"proof for GET", proofFor(t, p, "GET", tokURL, ""), "invalid_dpop_proof"},
		{"proof for another URL", proofFor(t, p, "POST", s.URL+"/other", ""), "invalid_dpop_proof"},
		{"stale iat", proofFor(t, prover(t, -10*time.Minute), "POST", tokURL, ""), "invalid_dpop_proof"},
		{"not a JWS", "abc", "invalid_dpop_proof"},
	} {
		r := tokenWithProof(t, s, refreshForm(rt), tc.proof)
		if r.status != http.StatusBadRequest || r.json(t)["error"] != tc.wantErr {
			t.Errorf("%s: status %d body %s, want %s", tc.name, r.status, r.body, tc.wantErr)
		}
	}
	proof := proofFor(t, p, "POST", tokURL, "")
	r := tokenWithProof(t, s, refreshForm(rt), proof)
	if r.status != http.StatusOK || r.json(t)["token_type"] != "DPoP" {
		t.Fatalf("refresh with proof: status %d body %s", r.status, r.body)
	}
	if r := tokenWithProof(t, s, refreshForm(rt), proof); r.json(t)["error"] != "invalid_dpop_proof" {
		t.Errorf("replayed jti: body %s", r.body)
	}
	m := get(t, s, "/metrics").body
	if !strings.Contains(m, `oauth2test_dpop_proofs_total{outcome="accepted"}`) || !strings.Contains(m, `oauth2test_dpop_proofs_total{outcome="rejected"}`) {
		t.Errorf("metrics lack DPoP counters:\n%s", m)
	}
}

func TestDPoPNonce(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{AutoApprove: true, DPoPNonce: true})
	p := prover(t, 0)
	tokURL := s.URL + oauth2test.PathToken
	form := func() url.Values {
		cb := authorize(t, s, authQuery())
		return url.Values{"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "redirect_uri": {redirect},
			"client_id": {publicID}, "code_verifier": {verifier}}
	}
	f := form()
	r := tokenWithProof(t, s, f, proofFor(t, p, "POST", tokURL, ""))
	nonce := r.header.Get("DPoP-Nonce")
	if r.status != http.StatusBadRequest || r.json(t)["error"] != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("without nonce: status %d, nonce %q, body %s", r.status, nonce, r.body)
	}
	if !p.NonceRetry(&oauth2client.ProofAnswer{URL: tokURL, StatusCode: r.status, Header: r.header, ErrorCode: "use_dpop_nonce"}) {
		t.Fatal("NonceRetry = false")
	}
	r = tokenWithProof(t, s, f, proofFor(t, p, "POST", tokURL, ""))
	if r.status != http.StatusOK {
		t.Fatalf("with nonce: status %d body %s", r.status, r.body)
	}
	at := r.json(t)["access_token"].(string)
	api := s.URL + oauth2test.PathCalendarList
	r1 := get(t, s, oauth2test.PathCalendarList, "Authorization", "DPoP "+at, "DPoP", proofFor(t, prover(t, 0), "GET", api, at))
	if r1.status != http.StatusUnauthorized || !strings.Contains(r1.header.Get("WWW-Authenticate"), `error="use_dpop_nonce"`) || r1.header.Get("DPoP-Nonce") == "" {
		t.Errorf("API without nonce: status %d, headers %v", r1.status, r1.header)
	}
	r2 := get(t, s, oauth2test.PathCalendarList, "Authorization", "DPoP "+at, "DPoP", proofFor(t, p, "GET", api, at))
	if r2.status != http.StatusOK {
		t.Errorf("API with the remembered nonce (same origin): status %d body %s", r2.status, r2.body)
	}
}

func TestDPoPDiscovery(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{})
	m := get(t, s, "/.well-known/openid-configuration").json(t)
	algs, _ := m["dpop_signing_alg_values_supported"].([]any)
	if !slices.Contains(algs, any("ES256")) {
		t.Errorf("dpop_signing_alg_values_supported = %v", m["dpop_signing_alg_values_supported"])
	}
}

// An authorization request with dpop_jkt (RFC 9449 §10) binds its code to
// that key; introspection shows the binding of a DPoP-bound access token.
func TestDPoPJKTAndIntrospection(t *testing.T) {
	t.Parallel()
	s := newServer(t, oauth2test.Options{AutoApprove: true})
	p, other := prover(t, 0), prover(t, 0)
	tokURL := s.URL + oauth2test.PathToken
	exchange := func(proof string) response {
		cb := authorize(t, s, authQuery("dpop_jkt", p.JKT()))
		return tokenWithProof(t, s, url.Values{
			"grant_type": {"authorization_code"}, "code": {cb.Get("code")}, "redirect_uri": {redirect},
			"client_id": {publicID}, "code_verifier": {verifier},
		}, proof)
	}
	for name, proof := range map[string]string{
		"no proof":    "",
		"another key": proofFor(t, other, "POST", tokURL, ""),
	} {
		if r := exchange(proof); r.status != http.StatusBadRequest || r.json(t)["error"] != "invalid_grant" {
			t.Errorf("%s: status %d body %s, want invalid_grant", name, r.status, r.body)
		}
	}
	r := exchange(proofFor(t, p, "POST", tokURL, ""))
	if r.status != http.StatusOK {
		t.Fatalf("exchange with the dpop_jkt key: status %d body %s", r.status, r.body)
	}
	at := r.json(t)["access_token"].(string)
	in := postForm(t, s, oauth2test.PathIntrospect, url.Values{"token": {at}, "client_id": {publicID}}, "", "").json(t)
	cnf, _ := in["cnf"].(map[string]any)
	if in["token_type"] != "DPoP" || cnf["jkt"] != p.JKT() {
		t.Errorf("introspection = %v, want token_type DPoP and cnf.jkt %s", in, p.JKT())
	}
}
