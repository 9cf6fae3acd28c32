package oauth2client

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// IDTokenClaims returns the claims of the credentials' OpenID Connect ID
// token, or nil if there is none. When the flow that made the credentials
// had a Config.IDTokenVerifier, they are the verified claims
// ([Credentials.IDTokenVerified]); otherwise they are decoded WITHOUT
// VERIFYING the token's signature, issuer, audience or expiry (as Python
// oauth2client did), as [Credentials.UnverifiedIDTokenClaims] does: use
// them for display only, and package idtoken to verify. For credentials
// read from Python's JSON, which keeps only the decoded claims, they are
// the stored claims. The returned map is a copy.
func (c *Credentials) IDTokenClaims() map[string]any {
	tok := c.CurrentToken()
	c.mu.Lock()
	claims := c.idClaims
	c.mu.Unlock()
	if claims == nil && tok != nil && tok.IDToken != "" {
		return decodeIDTokenClaims(tok.IDToken) // a new map each time
	}
	if claims == nil {
		return nil
	}
	return copyJSONValue(claims).(map[string]any)
}

// UnverifiedIDTokenClaims returns the claims of the current token's ID
// token decoded WITHOUT VERIFYING it, or nil if there is none or it is not
// a compact JWS. Use package idtoken to verify an ID token.
func (c *Credentials) UnverifiedIDTokenClaims() map[string]any {
	tok := c.CurrentToken()
	if tok == nil || tok.IDToken == "" {
		return nil
	}
	return decodeIDTokenClaims(tok.IDToken)
}

// decodeIDTokenClaims decodes the payload of a JWS compact serialization
// without verifying it; nil if it is not one.
func decodeIDTokenClaims(jwt string) map[string]any {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber()
	var claims map[string]any
	if d.Decode(&claims) != nil {
		return nil
	}
	return claims
}

// copyJSONValue deep-copies a decoded JSON value.
func copyJSONValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = copyJSONValue(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = copyJSONValue(e)
		}
		return s
	}
	return v
}
