package oauth2test

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// GrantTypeJWTBearer is the grant_type of JWT-bearer token requests
// (RFC 7523 §2.1), as service accounts send them.
const GrantTypeJWTBearer = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Limits the token endpoint enforces on JWT-bearer assertions.
const (
	// MaxAssertionLifetime is the longest exp - iat accepted, and how far
	// ahead of the server's clock exp may be: Google's limit.
	MaxAssertionLifetime = time.Hour
	// AssertionSkew is the clock skew allowed on iat and exp.
	AssertionSkew = time.Minute
)

// ServiceAccountProject is the project_id of the key files the server
// writes.
const ServiceAccountProject = "oauth2test"

// serviceAccount is a registered service account. Fields are guarded by
// the Server's mu.
type serviceAccount struct {
	email    string
	clientID string
	keys     []jose.Key
	set      *jose.KeySet
	// priv and kid are the key the server generated, kept only to write
	// key files (ServiceAccountKeyJSON); nil for accounts with added keys
	// only.
	priv *rsa.PrivateKey
	kid  string
}

// RegisterServiceAccount registers a service account with address email
// ("" picks one under iam.gserviceaccount.com), generates a 2048-bit RSA
// key for it and returns the account's JSON key file, as Google issues
// them (see [Server.ServiceAccountKeyJSON]). The token endpoint then
// grants tokens for assertions signed with the key (RFC 7523).
func (s *Server) RegisterServiceAccount(email string) ([]byte, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oauth2test: generate service account key: %w", err)
	}
	if email == "" {
		email = "sa-" + strings.ToLower(randomString(6)) + "@" + ServiceAccountProject + ".iam.gserviceaccount.com"
	}
	kid := randomString(16)
	if err := s.AddServiceAccountKey(email, kid, &key.PublicKey); err != nil {
		return nil, err
	}
	s.mu.Lock()
	a := s.serviceAccounts[email]
	a.priv, a.kid = key, kid
	s.mu.Unlock()
	return s.ServiceAccountKeyJSON(email)
}

// AddServiceAccountKey registers pub (an *rsa.PublicKey of at least 2048
// bits, a P-256 *ecdsa.PublicKey or an ed25519.PublicKey) under kid for the
// service account email, registering the account if it is new. Assertions
// signed with the private half and naming kid (or no kid) are accepted.
func (s *Server) AddServiceAccountKey(email, kid string, pub crypto.PublicKey) error {
	if email == "" {
		return errors.New("oauth2test: service account email is empty")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.serviceAccounts[email]
	if a == nil {
		n, err := rand.Int(rand.Reader, big.NewInt(1e18))
		if err != nil {
			return fmt.Errorf("oauth2test: %w", err)
		}
		a = &serviceAccount{email: email, clientID: "1" + n.String()}
	}
	k := jose.Key{KID: kid, Public: pub}
	if _, err := jose.NewKeySet(k); err != nil {
		return fmt.Errorf("oauth2test: service account key %T is not usable for signatures: %w", pub, err)
	}
	keys := append(a.keys[:len(a.keys):len(a.keys)], k)
	set, err := jose.NewKeySet(keys...)
	if err != nil {
		return fmt.Errorf("oauth2test: %w", err)
	}
	a.keys, a.set = keys, set
	s.serviceAccounts[email] = a
	return nil
}

// ServiceAccountKeyJSON returns a JSON key file (type "service_account",
// the private key in PKCS#8 PEM, token_uri this server's token endpoint)
// for a service account registered with [Server.RegisterServiceAccount].
func (s *Server) ServiceAccountKeyJSON(email string) ([]byte, error) {
	s.mu.Lock()
	a := s.serviceAccounts[email]
	var priv *rsa.PrivateKey
	var kid, clientID string
	if a != nil {
		// Copied under the lock: RegisterServiceAccount may replace them.
		priv, kid, clientID = a.priv, a.kid, a.clientID
	}
	s.mu.Unlock()
	if priv == nil {
		return nil, fmt.Errorf("oauth2test: no service account %q registered with a server-made key", email)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("oauth2test: %w", err)
	}
	return json.MarshalIndent(map[string]string{
		"type":           "service_account",
		"project_id":     ServiceAccountProject,
		"private_key_id": kid,
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   email,
		"client_id":      clientID,
		"auth_uri":       s.URL + PathAuthorize,
		"token_uri":      s.URL + PathToken,
	}, "", "  ")
}

// assertionClaims are the claims of a JWT-bearer assertion the server
// reads.
type assertionClaims struct {
	Iss   string          `json:"iss"`
	Sub   string          `json:"sub"`
	Aud   json.RawMessage `json:"aud"`
	Scope string          `json:"scope"`
	// TargetAudience asks for an ID token for this audience instead of an
	// access token, as Google's token endpoint reads it.
	TargetAudience string   `json:"target_audience"`
	Iat            *float64 `json:"iat"`
	Exp            *float64 `json:"exp"`
}

// jwtBearer is the JWT-bearer grant (RFC 7523 §2.1, §3): the assertion
// must be signed by a key of the service account named by iss, for this
// token endpoint, issued no later than now and expiring within
// MaxAssertionLifetime. sub, when present, is the user the account acts
// for (domain-wide delegation). Scopes come from the "scope" claim, as
// Google reads them, else from the scope parameter. An assertion with a
// "target_audience" claim gets, as from Google, only {"id_token": ...}:
// an ID token of the account for that audience, signed with the server's
// key (iss the server's URL, aud the target audience, sub the account's
// client_id, with email and email_verified).
func (s *Server) jwtBearer(r *http.Request) (any, *oauthError) {
	assertion := r.PostForm.Get("assertion")
	if assertion == "" {
		return nil, invalidRequest("missing assertion")
	}
	var unverified assertionClaims
	if parts := strings.Split(assertion, "."); len(parts) == 3 {
		if b, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
			_ = json.Unmarshal(b, &unverified)
		}
	}
	s.mu.Lock()
	a := s.serviceAccounts[unverified.Iss]
	var set *jose.KeySet
	if a != nil {
		set = a.set
	}
	now := s.now()
	s.mu.Unlock()
	if a == nil {
		return nil, invalidGrant("assertion iss is not a registered service account")
	}
	payload, _, err := jose.Verify(assertion, []string{jose.RS256, jose.ES256, jose.EdDSA}, set)
	if err != nil {
		return nil, invalidGrant("assertion does not verify: " + err.Error())
	}
	var c assertionClaims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, invalidGrant("assertion claims are malformed")
	}
	if c.Iss != a.email {
		// The key was chosen by the unverified iss: the verified one must
		// name the same account.
		return nil, invalidGrant("assertion iss is not the account whose key signed it")
	}
	if e := s.checkAssertion(&c, now); e != nil {
		return nil, e
	}
	if c.TargetAudience != "" {
		id, err := s.serviceAccountIDToken(c.Iss, c.TargetAudience, true)
		if err != nil {
			return nil, &oauthError{http.StatusInternalServerError, "server_error", "cannot sign ID token"}
		}
		return map[string]string{"id_token": id}, nil
	}
	scopes := strings.Fields(c.Scope)
	if c.Scope == "" {
		scopes = strings.Fields(r.PostForm.Get("scope"))
	}
	user := c.Sub
	if user == "" {
		user = c.Iss
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.newGrant(c.Iss, user, scopes)
	return s.tokens(g, scopes, "", false)
}

// checkAssertion checks the verified claims' audience and times.
func (s *Server) checkAssertion(c *assertionClaims, now time.Time) *oauthError {
	want := s.URL + PathToken
	var aud []string
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		aud = []string{one}
	} else if json.Unmarshal(c.Aud, &aud) != nil {
		return invalidGrant("assertion aud is malformed")
	}
	found := false
	for _, a := range aud {
		found = found || a == want
	}
	switch {
	case !found:
		return invalidGrant("assertion aud is not this token endpoint")
	case c.Exp == nil:
		return invalidGrant("assertion has no exp")
	case c.Iat == nil:
		return invalidGrant("assertion has no iat")
	}
	iat, exp := time.Unix(int64(*c.Iat), 0), time.Unix(int64(*c.Exp), 0)
	switch {
	case !exp.After(now.Add(-AssertionSkew)):
		return invalidGrant("assertion expired")
	case exp.After(now.Add(MaxAssertionLifetime + AssertionSkew)):
		return invalidGrant("assertion exp is more than 1 h ahead")
	case iat.After(now.Add(AssertionSkew)):
		return invalidGrant("assertion iat is in the future")
	case exp.Sub(iat) > MaxAssertionLifetime:
		return invalidGrant("assertion lifetime exceeds 1 h")
	case !exp.After(iat):
		return invalidGrant("assertion exp is not after iat")
	}
	return nil
}
