package oauth2test

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Client authentication methods (RFC 7591 §2, OIDC Core §9) accepted in
// [Client].AuthMethod.
const (
	AuthMethodBasic = "client_secret_basic"
	AuthMethodPost  = "client_secret_post"
	AuthMethodNone  = "none"
)

// Client is an OAuth client registered with a [Server].
type Client struct {
	// ID is the client_id. It must not be empty.
	ID string
	// Secret is the client_secret; empty for a public client.
	Secret string
	// RedirectURIs are the registered redirect URIs. A loopback URI
	// (http://127.0.0.1, http://[::1] or http://localhost) matches the same
	// URI with any port (RFC 8252 §7.3); any other must match exactly.
	RedirectURIs []string
	// AnyLoopbackRedirect accepts any http redirect URI on a loopback host,
	// with any port and path, as Google's "installed" clients do.
	AnyLoopbackRedirect bool
	// AuthMethod is how the client authenticates to the token,
	// introspection and revocation endpoints: AuthMethodBasic,
	// AuthMethodPost, AuthMethodNone, AuthMethodPrivateKeyJWT or
	// AuthMethodSecretJWT. Empty means either of the first two when Secret
	// is set, and none otherwise.
	AuthMethod string
	// PublicKey verifies the client assertions of a private_key_jwt
	// client: an *rsa.PublicKey, *ecdsa.PublicKey or ed25519.PublicKey.
	PublicKey crypto.PublicKey
	// IDTokenAlg is how the client's ID tokens are signed: "RS256" (the
	// default when empty) or "ES256", with the server's P-256 key.
	IDTokenAlg string
	// RequestObjectKey is the public key (RSA, P-256 ECDSA or Ed25519)
	// that verifies the client's request objects (RFC 9101); nil means the
	// client cannot send "request" parameters.
	RequestObjectKey crypto.PublicKey
	// TLSSubject is the subject distinguished name (as
	// [pkix.Name.String] writes it) of the certificate of a
	// tls_client_auth client (RFC 8705 §2.1.2, tls_client_auth_subject_dn).
	TLSSubject string
	// TLSCertificates are the certificates of a
	// self_signed_tls_client_auth client (RFC 8705 §2.2).
	TLSCertificates []*x509.Certificate
}

// RegisterClient registers c, replacing any client with the same ID.
func (s *Server) RegisterClient(c Client) error {
	if c.ID == "" {
		return fmt.Errorf("oauth2test: register client: empty ID")
	}
	switch c.AuthMethod {
	case "":
	case AuthMethodBasic, AuthMethodPost:
		if c.Secret == "" {
			return fmt.Errorf("oauth2test: register client %q: auth method %s needs a Secret", c.ID, c.AuthMethod)
		}
	case AuthMethodNone:
		if c.Secret != "" {
			return fmt.Errorf("oauth2test: register client %q: auth method none with a Secret", c.ID)
		}
	case AuthMethodPrivateKeyJWT:
		if _, err := jose.NewKeySet(jose.Key{Public: c.PublicKey}); err != nil {
			return fmt.Errorf("oauth2test: register client %q: private_key_jwt needs a usable PublicKey: %w", c.ID, err)
		}
	case AuthMethodTLSClient, AuthMethodSelfSignedTLSClient:
		if err := s.checkTLSRegistration(&c); err != nil {
			return err
		}
	case AuthMethodSecretJWT:
		if len(c.Secret) < jose.MinHMACKeyBytes {
			return fmt.Errorf("oauth2test: register client %q: client_secret_jwt needs a Secret of at least %d bytes", c.ID, jose.MinHMACKeyBytes)
		}
	default:
		return fmt.Errorf("oauth2test: register client %q: unsupported AuthMethod %q", c.ID, c.AuthMethod)
	}
	switch c.IDTokenAlg {
	case "", "RS256", "ES256":
	default:
		return fmt.Errorf("oauth2test: register client %q: unsupported IDTokenAlg %q", c.ID, c.IDTokenAlg)
	}
	for _, u := range c.RedirectURIs {
		p, err := url.Parse(u)
		if err != nil || !p.IsAbs() || p.Fragment != "" {
			return fmt.Errorf("oauth2test: register client %q: invalid redirect URI %q", c.ID, u)
		}
	}
	c.RedirectURIs = slices.Clone(c.RedirectURIs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[c.ID] = &c
	return nil
}

// methodAllowed reports whether the client may authenticate with method.
func (c *Client) methodAllowed(method string) bool {
	switch c.AuthMethod {
	case "":
		if c.Secret == "" {
			return method == AuthMethodNone
		}
		return method == AuthMethodBasic || method == AuthMethodPost
	default:
		return method == c.AuthMethod
	}
}

// public reports whether the client has no credentials: no secret and no
// key.
func (c *Client) public() bool {
	return c.Secret == "" && c.AuthMethod != AuthMethodPrivateKeyJWT && !c.tlsAuth()
}

// redirectAllowed reports whether uri is a redirect URI of the client.
func (c *Client) redirectAllowed(uri string) bool {
	got, err := url.Parse(uri)
	if err != nil || got.Fragment != "" || got.User != nil {
		return false
	}
	if c.AnyLoopbackRedirect && got.Scheme == "http" && urlpolicy.IsLoopbackHost(got.Hostname()) {
		return true
	}
	for _, reg := range c.RedirectURIs {
		if reg == uri {
			return true
		}
		want, err := url.Parse(reg)
		if err != nil || want.Scheme != "http" || !urlpolicy.IsLoopbackHost(want.Hostname()) {
			continue
		}
		if got.Scheme == "http" && got.Hostname() == want.Hostname() &&
			got.EscapedPath() == want.EscapedPath() && got.RawQuery == want.RawQuery {
			return true
		}
	}
	return false
}

// ClientSecretsJSON returns a client_secrets.json document of the
// "installed" kind for the registered client id, pointing at s. A client
// with AnyLoopbackRedirect and no registered redirect URIs is given
// "http://127.0.0.1" and "http://localhost".
func (s *Server) ClientSecretsJSON(id string) ([]byte, error) {
	s.mu.Lock()
	c, ok := s.clients[id]
	var cc Client
	if ok {
		cc = *c
	}
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("oauth2test: client secrets: no client %q registered", id)
	}
	redirects := cc.RedirectURIs
	if len(redirects) == 0 && cc.AnyLoopbackRedirect {
		redirects = []string{"http://127.0.0.1", "http://localhost"}
	}
	if redirects == nil {
		redirects = []string{}
	}
	doc := map[string]any{"installed": map[string]any{
		"client_id":      cc.ID,
		"client_secret":  cc.Secret,
		"auth_uri":       s.URL + PathAuthorize,
		"token_uri":      s.URL + PathToken,
		"redirect_uris":  redirects,
		"revoke_uri":     s.URL + PathRevoke,
		"token_info_uri": s.URL + PathTokenInfo,
	}}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("oauth2test: client secrets: %w", err)
	}
	return append(b, '\n'), nil
}

// scopeString joins scopes with spaces.
func scopeString(scopes []string) string { return strings.Join(scopes, " ") }
