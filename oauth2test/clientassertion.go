package oauth2test

import (
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// JWT client authentication methods (OIDC Core §9, RFC 7523 §2.2)
// accepted in [Client].AuthMethod: private_key_jwt needs
// [Client].PublicKey, client_secret_jwt a Secret of at least 32 bytes
// (the HS256 key).
const (
	AuthMethodPrivateKeyJWT = "private_key_jwt"
	AuthMethodSecretJWT     = "client_secret_jwt"
)

// ClientAssertionType is the client_assertion_type of a JWT client
// assertion (RFC 7523 §2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// maxClientAssertionLifetime is the longest exp - now a client assertion
// may have; a longer-lived one is refused, as a replayable credential.
const maxClientAssertionLifetime = 10 * time.Minute

// clientAssertionClaims are the claims of a client assertion.
type clientAssertionClaims struct {
	Iss string   `json:"iss"`
	Sub string   `json:"sub"`
	Aud audience `json:"aud"`
	JTI string   `json:"jti"`
	Exp *int64   `json:"exp"`
	Nbf *int64   `json:"nbf"`
}

// audience is a JWT "aud": one string or an array of strings.
type audience []string

// UnmarshalJSON accepts a string or an array of strings.
func (a *audience) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*a = audience{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return err
	}
	*a = many
	return nil
}

// assertionClient authenticates the client of r by its client assertion
// (RFC 7523 §3): the signature with the client's registered key or
// secret, iss = sub = the client, an aud naming this server (its issuer,
// its token endpoint or the endpoint called), an exp in the near future,
// and a jti not seen before.
func (s *Server) assertionClient(r *http.Request) (*Client, *oauthError) {
	f := r.PostForm
	if _, _, basic := r.BasicAuth(); basic || f.Has("client_secret") {
		return nil, invalidRequest("more than one client authentication method")
	}
	if f.Get("client_assertion_type") != ClientAssertionType {
		return nil, invalidClient("unsupported client_assertion_type")
	}
	jwt := f.Get("client_assertion")
	if jwt == "" {
		return nil, invalidClient("missing client_assertion")
	}
	j, err := jose.Parse(jwt, []string{jose.RS256, jose.ES256, jose.EdDSA, jose.PS256})
	hmac := false
	if err != nil {
		// HS256 is accepted only for a client registered for
		// client_secret_jwt, checked below with its secret.
		hmac = true
	}
	// The claims are read before the signature is checked only to find
	// the client whose key checks it.
	var unverified clientAssertionClaims
	if payload, ok := jwtPayload(jwt); !ok || json.Unmarshal(payload, &unverified) != nil {
		return nil, invalidClient("malformed client_assertion")
	}
	id := unverified.Sub
	if fid := f.Get("client_id"); fid != "" && fid != id {
		return nil, invalidClient("client_id does not match the client_assertion's sub")
	}
	s.mu.Lock()
	c, ok := s.clients[id]
	s.mu.Unlock()
	if !ok {
		return nil, invalidClient("unknown client")
	}
	var payload []byte
	switch c.AuthMethod {
	case AuthMethodPrivateKeyJWT:
		if hmac {
			return nil, invalidClient("client_assertion is not signed with an algorithm the client's key has")
		}
		set, err := jose.NewKeySet(jose.Key{KID: j.Header.KID, Public: c.PublicKey})
		if err != nil {
			return nil, invalidClient("client's registered key is unusable")
		}
		if payload, err = j.Verify(set); err != nil {
			return nil, invalidClient("client_assertion signature does not verify")
		}
	case AuthMethodSecretJWT:
		if !hmac {
			return nil, invalidClient("client_secret_jwt assertion not signed with HS256")
		}
		if payload, err = jose.VerifyHS256(jwt, []byte(c.Secret)); err != nil {
			return nil, invalidClient("client_assertion signature does not verify")
		}
	default:
		return nil, invalidClient("client authenticated with a client assertion, which it is not registered for")
	}
	var cl clientAssertionClaims
	if err := json.Unmarshal(payload, &cl); err != nil {
		return nil, invalidClient("malformed client_assertion claims")
	}
	if cl.Iss != c.ID || cl.Sub != c.ID {
		return nil, invalidClient("client_assertion iss and sub must be the client_id")
	}
	if !s.assertionAudience(r, cl.Aud) {
		return nil, invalidClient("client_assertion aud does not name this server")
	}
	if cl.JTI == "" {
		return nil, invalidClient("client_assertion has no jti")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	switch {
	case cl.Exp == nil:
		return nil, invalidClient("client_assertion has no exp")
	case !now.Before(time.Unix(*cl.Exp, 0)):
		return nil, invalidClient("client_assertion expired")
	case time.Unix(*cl.Exp, 0).Sub(now) > maxClientAssertionLifetime:
		return nil, invalidClient("client_assertion exp too far in the future")
	case cl.Nbf != nil && now.Before(time.Unix(*cl.Nbf, 0)):
		return nil, invalidClient("client_assertion not yet valid")
	}
	for k, exp := range s.jtis {
		if !now.Before(exp) {
			delete(s.jtis, k)
		}
	}
	key := c.ID + "\x00" + cl.JTI
	if _, seen := s.jtis[key]; seen {
		return nil, invalidClient("client_assertion jti replayed")
	}
	if s.jtis == nil {
		s.jtis = make(map[string]time.Time)
	}
	s.jtis[key] = time.Unix(*cl.Exp, 0)
	return c, nil
}

// assertionAudience reports whether aud names s: its issuer, its token
// endpoint, or the URL of the endpoint r called.
func (s *Server) assertionAudience(r *http.Request, aud audience) bool {
	for _, a := range aud {
		for _, want := range []string{s.URL, s.URL + "/", s.URL + PathToken, s.URL + r.URL.Path} {
			if subtle.ConstantTimeCompare([]byte(a), []byte(want)) == 1 {
				return true
			}
		}
	}
	return false
}

// jwtPayload decodes the payload of a compact JWS without verifying it.
func jwtPayload(jwt string) ([]byte, bool) {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	return b, err == nil
}
