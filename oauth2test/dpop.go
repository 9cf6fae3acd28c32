package oauth2test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// dpopAlgs are the DPoP proof algorithms the server accepts and advertises
// in dpop_signing_alg_values_supported (RFC 9449 §5.1).
var dpopAlgs = []string{jose.ES256, jose.RS256, jose.EdDSA}

// dpopWindow is how far a proof's iat may be from the server's clock.
const dpopWindow = time.Minute

// dpopState is the server's DPoP memory, guarded by Server.mu.
type dpopState struct {
	nonce string               // the nonce proofs must carry when Options.DPoPNonce
	jtis  map[string]time.Time // jkt + "\x00" + jti → when it may be forgotten
	// counts are the proofs seen, by outcome, for /metrics.
	counts map[string]int64
}

// count adds one proof of outcome to the metrics.
func (d *dpopState) count(outcome string) {
	if d.counts == nil {
		d.counts = make(map[string]int64)
	}
	d.counts[outcome]++
}

// dpopClaims are the claims of a DPoP proof (RFC 9449 §4.2).
type dpopClaims struct {
	JTI   string `json:"jti"`
	HTM   string `json:"htm"`
	HTU   string `json:"htu"`
	IAT   int64  `json:"iat"`
	ATH   string `json:"ath"`
	Nonce string `json:"nonce"`
}

// dpopError is an answer to a bad or missing proof: e is written at the
// token endpoint, and challenge (a WWW-Authenticate error code) at a
// resource. nonce, when set, goes in a DPoP-Nonce header.
type dpopError struct {
	e     *oauthError
	nonce string
}

// checkProof verifies r's DPoP header (RFC 9449 §4.3) for accessToken
// ("" at the token endpoint) and returns the thumbprint of its key, or ""
// and nil when r has no DPoP header.
func (s *Server) checkProof(r *http.Request, accessToken string) (string, *dpopError) {
	vals := r.Header.Values("DPoP")
	if len(vals) == 0 {
		return "", nil
	}
	bad := func(desc string) (string, *dpopError) {
		s.mu.Lock()
		s.dpop.count("rejected")
		s.mu.Unlock()
		return "", &dpopError{e: &oauthError{http.StatusBadRequest, "invalid_dpop_proof", desc}}
	}
	if len(vals) > 1 {
		return bad("more than one DPoP header")
	}
	payload, h, pub, err := jose.VerifyEmbedded(vals[0], dpopAlgs)
	if err != nil {
		return bad("DPoP proof does not verify")
	}
	var c dpopClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return bad("DPoP proof claims are malformed")
	}
	jkt, err := jose.Thumbprint(pub)
	if err != nil {
		return bad("DPoP proof key is unsupported")
	}
	now := s.now()
	iat := time.Unix(c.IAT, 0)
	switch {
	case h.Typ != "dpop+jwt":
		return bad(`DPoP proof typ is not "dpop+jwt"`)
	case c.JTI == "":
		return bad("DPoP proof has no jti")
	case c.HTM != r.Method:
		return bad("DPoP proof htm does not match the request method")
	case c.HTU != s.URL+r.URL.Path:
		return bad("DPoP proof htu does not match the request URL")
	case iat.Before(now.Add(-dpopWindow)) || iat.After(now.Add(dpopWindow)):
		return bad("DPoP proof iat is outside the accepted window")
	case accessToken != "" && c.ATH != athOf(accessToken):
		return bad("DPoP proof ath does not match the access token")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opts.DPoPNonce {
		if s.dpop.nonce == "" {
			s.dpop.nonce = randomString(16)
		}
		if c.Nonce != s.dpop.nonce {
			s.dpop.count("nonce_required")
			return "", &dpopError{e: &oauthError{http.StatusBadRequest, "use_dpop_nonce", "DPoP proof needs the server's nonce"}, nonce: s.dpop.nonce}
		}
	}
	for k, exp := range s.dpop.jtis {
		if now.After(exp) {
			delete(s.dpop.jtis, k)
		}
	}
	key := jkt + "\x00" + c.JTI
	if _, seen := s.dpop.jtis[key]; seen {
		s.dpop.count("rejected")
		return "", &dpopError{e: &oauthError{http.StatusBadRequest, "invalid_dpop_proof", "DPoP proof jti was already used"}}
	}
	if s.dpop.jtis == nil {
		s.dpop.jtis = make(map[string]time.Time)
	}
	s.dpop.jtis[key] = iat.Add(2 * dpopWindow)
	s.dpop.count("accepted")
	return jkt, nil
}

// athOf is the "ath" of an access token (RFC 9449 §4.2).
func athOf(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// tokenProof checks the DPoP proof of a token request and, for a refresh
// or authorization code grant, that it is by the key the refresh token or
// the authorization request's dpop_jkt (RFC 9449 §10) names. It writes
// the error answer and reports false when the request must stop.
func (s *Server) tokenProof(w http.ResponseWriter, r *http.Request) (string, bool) {
	jkt, de := s.checkProof(r, "")
	if de != nil {
		if de.nonce != "" {
			w.Header().Set("DPoP-Nonce", de.nonce)
		}
		writeOAuthError(w, de.e)
		return "", false
	}
	bound, what := "", ""
	s.mu.Lock()
	switch r.PostForm.Get("grant_type") {
	case "refresh_token":
		if rt := s.validRefresh(r.PostForm.Get("refresh_token")); rt != nil {
			bound, what = rt.grant.jkt, "refresh token"
		}
	case "authorization_code":
		if ac := s.codes[r.PostForm.Get("code")]; ac != nil {
			bound, what = ac.req.dpopJKT, "authorization code (dpop_jkt)"
		}
	}
	s.mu.Unlock()
	if bound != "" && bound != jkt {
		writeOAuthError(w, invalidGrant(what+" is DPoP-bound: a proof by its key is required"))
		return "", false
	}
	return jkt, true
}

// bindDPoP binds the tokens of a token response to jkt (RFC 9449 §5, §6):
// the access token and, through its grant, the refresh token.
func (s *Server) bindDPoP(resp any, jkt string) {
	tr, ok := resp.(*tokenResponse)
	if !ok || jkt == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.access[tr.AccessToken]
	if at == nil {
		return
	}
	at.jkt = jkt
	tr.TokenType = "DPoP"
	if rt := s.refresh[tr.RefreshToken]; rt != nil {
		rt.grant.jkt = jkt
	}
}

// resourceToken returns the access token of a resource request, Bearer or
// DPoP, checking the DPoP proof and binding (RFC 9449 §7). It writes the
// error answer and returns nil when the request must stop.
func (s *Server) resourceToken(w http.ResponseWriter, r *http.Request) *accessToken {
	scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	tok = strings.TrimSpace(tok)
	isDPoP := strings.EqualFold(scheme, "DPoP")
	if tok == "" || (!isDPoP && !strings.EqualFold(scheme, "Bearer")) {
		bearerError(w, http.StatusUnauthorized, "", "")
		return nil
	}
	s.mu.Lock()
	t := s.validAccess(tok)
	s.mu.Unlock()
	if t == nil {
		bearerError(w, http.StatusUnauthorized, "invalid_token", "the access token is unknown, expired or revoked")
		return nil
	}
	if !s.checkCertBinding(w, r, t) {
		return nil
	}
	if !isDPoP {
		if t.jkt != "" {
			dpopChallenge(w, "invalid_token", "the access token is DPoP-bound: send it with a DPoP proof", "")
			return nil
		}
		return t
	}
	jkt, de := s.checkProof(r, tok)
	switch {
	case de != nil:
		dpopChallenge(w, de.e.code, de.e.description, de.nonce)
		return nil
	case jkt == "":
		dpopChallenge(w, "invalid_dpop_proof", "missing DPoP proof", "")
		return nil
	case t.jkt != jkt:
		dpopChallenge(w, "invalid_token", "the access token is not bound to the proof's key", "")
		return nil
	}
	return t
}

// dpopChallenge writes a 401 with a DPoP WWW-Authenticate challenge (RFC
// 9449 §7.1) and the nonce, if any.
func dpopChallenge(w http.ResponseWriter, code, desc, nonce string) {
	if nonce != "" {
		w.Header().Set("DPoP-Nonce", nonce)
	}
	w.Header().Set("WWW-Authenticate", `DPoP algs="`+strings.Join(dpopAlgs, " ")+`", error="`+code+`", error_description="`+desc+`"`)
	writeJSON(w, http.StatusUnauthorized, map[string]string{"error": code, "error_description": desc})
}
