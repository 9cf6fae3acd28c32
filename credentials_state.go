package oauth2client

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
)

// CredentialsState is what a store keeps of [Credentials]: plain data, with
// no HTTP client, cache or store binding (DESIGN.md, "Seams: Stored
// state"). [Credentials.State] takes a copy of live credentials;
// [CredentialsState.Credentials] makes live credentials from it.
//
// Its JSON is the JSON of [Credentials.MarshalJSON]: Python oauth2client's
// OAuth2Credentials.to_json, plus the fields of ours that Python ignores
// ("introspection_uri", "auth_style", and "extensions" when Extensions is
// not empty). Scopes are written as one "scopes" list: the granted scopes
// when known, else the requested ones (see [Credentials.Scopes]); reading
// it back gives Scopes and no GrantedScopes.
type CredentialsState struct {
	// ClientID and ClientSecret identify the client at the token endpoint.
	ClientID, ClientSecret string
	// TokenURI, RevokeURI, TokenInfoURI and IntrospectionURI are the
	// endpoints; see [CredentialsConfig].
	TokenURI, RevokeURI, TokenInfoURI, IntrospectionURI string
	// AuthStyle is how the client authenticates to the token endpoint.
	AuthStyle AuthStyle
	// UserAgent is sent with every request the credentials make.
	UserAgent string
	// Scopes are the scopes requested.
	Scopes []string
	// Token is the current token (access, refresh and ID tokens, expiry,
	// granted scopes, raw response); nil for none.
	Token *Token
	// Invalid marks credentials refused by the token endpoint
	// (invalid_grant) or revoked: they never refresh.
	Invalid bool
	// IDTokenClaims are the decoded claims of the ID token, as Python
	// stores them; nil means: decode them from Token.IDToken.
	IDTokenClaims map[string]any
	// GrantedScopes are the scopes [Credentials.RetrieveScopes] found; nil
	// if it was not asked.
	GrantedScopes []string
	// PythonClass and PythonModule are the Python class ("_class") and
	// module ("_module") the credentials were read as, written back as
	// read; empty means OAuth2Credentials of oauth2client.client.
	PythonClass, PythonModule string
	// Extensions are named fields that features beyond Python
	// oauth2client's keep with the credentials (a DPoP key, a client
	// certificate reference), as JSON values. They are written under
	// "extensions"; the Python file formats refuse credentials that have
	// any, since Python would drop them.
	Extensions map[string]json.RawMessage

	// idVerified: IDTokenClaims were verified by an IDTokenVerifier in this
	// process. Never stored: state read from a store is unverified.
	idVerified bool
}

// Clone returns a deep copy of s.
func (s *CredentialsState) Clone() *CredentialsState {
	if s == nil {
		return nil
	}
	n := *s
	n.Scopes = slices.Clone(s.Scopes)
	n.GrantedScopes = slices.Clone(s.GrantedScopes)
	n.Token = s.Token.Clone()
	if s.IDTokenClaims != nil {
		n.IDTokenClaims = copyJSONValue(s.IDTokenClaims).(map[string]any)
	}
	if s.Extensions != nil {
		n.Extensions = make(map[string]json.RawMessage, len(s.Extensions))
		for k, v := range s.Extensions {
			n.Extensions[k] = bytes.Clone(v)
		}
	}
	return &n
}

// ExtensionNames returns the names of s's extension fields, sorted.
func (s *CredentialsState) ExtensionNames() []string {
	return slices.Sorted(maps.Keys(s.Extensions))
}

// pyClass returns the Python class s was read as.
func (s *CredentialsState) pyClass() pyClass {
	return pyClass{name: s.PythonClass, module: s.PythonModule}
}

// applyTo sets the client and endpoints of cfg from s, leaving its
// run-time settings as they are.
func (s *CredentialsState) applyTo(cfg *CredentialsConfig) {
	cfg.ClientID, cfg.ClientSecret = s.ClientID, s.ClientSecret
	cfg.TokenURI, cfg.RevokeURI = s.TokenURI, s.RevokeURI
	cfg.TokenInfoURI, cfg.IntrospectionURI = s.TokenInfoURI, s.IntrospectionURI
	cfg.AuthStyle, cfg.UserAgent = s.AuthStyle, s.UserAgent
	cfg.Scopes = slices.Clone(s.Scopes)
}

// setConfig sets the client and endpoints of s from cfg.
func (s *CredentialsState) setConfig(cfg CredentialsConfig) {
	s.ClientID, s.ClientSecret = cfg.ClientID, cfg.ClientSecret
	s.TokenURI, s.RevokeURI = cfg.TokenURI, cfg.RevokeURI
	s.TokenInfoURI, s.IntrospectionURI = cfg.TokenInfoURI, cfg.IntrospectionURI
	s.AuthStyle, s.UserAgent = cfg.AuthStyle, cfg.UserAgent
	s.Scopes = slices.Clone(cfg.Scopes)
}

// Credentials returns live credentials holding a copy of s, with the
// run-time settings of cfg (HTTPClient, Cache, Store, StoreKey, ClientAuth,
// ProofBinder, IDTokenVerifier, Retry, Logger: every field that is not
// stored). The client
// and endpoints come from s; those fields of cfg are not used.
func (s *CredentialsState) Credentials(cfg CredentialsConfig) *Credentials {
	s = s.Clone()
	run := cfg
	s.applyTo(&run)
	c := &Credentials{}
	c.init(run, s.Token)
	c.idClaims, c.invalid, c.granted = s.IDTokenClaims, s.Invalid, s.GrantedScopes
	c.idVerified = s.idVerified && s.IDTokenClaims != nil
	c.class, c.ext = s.pyClass(), s.Extensions
	c.bindProofKey()
	return c
}

// State returns a copy of what c holds that a store keeps: client,
// endpoints, token and flags. Revoked credentials hold no access or
// refresh token.
func (c *Credentials) State() *CredentialsState {
	tok := c.CurrentToken()
	c.mu.Lock()
	s := &CredentialsState{
		Token:         tok,
		Invalid:       c.invalid,
		IDTokenClaims: c.idClaims,
		idVerified:    c.idVerified,
		GrantedScopes: c.granted,
		PythonClass:   c.class.name,
		PythonModule:  c.class.module,
		Extensions:    withAuthExtension(c.ext, c.cfg.ClientAuth),
	}
	c.mu.Unlock()
	s.setConfig(c.cfg)
	return s.Clone()
}

// MarshalJSON writes s as [Credentials.MarshalJSON] describes.
func (s CredentialsState) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.toJSON())
}

// UnmarshalJSON reads credentials JSON as [ParseCredentialsJSON] does.
func (s *CredentialsState) UnmarshalJSON(data []byte) error {
	p, err := parseCredentialsState(data)
	if err != nil {
		return err
	}
	*s = *p
	return nil
}
