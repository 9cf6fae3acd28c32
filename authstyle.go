package oauth2client

import (
	"fmt"
	"slices"
)

// AuthStyle is how a client authenticates to the token endpoint
// (RFC 6749 §2.3, OIDC Core §9).
type AuthStyle int

const (
	// AuthStyleAuto picks a style without a network round trip: none for a
	// client without a secret; otherwise client_secret_basic, unless the
	// endpoint's metadata lists only client_secret_post. It never probes by
	// spending a one-time code on a failed guess.
	AuthStyleAuto AuthStyle = iota
	// AuthStyleBasic sends the client id and secret in an HTTP Basic
	// Authorization header (client_secret_basic).
	AuthStyleBasic
	// AuthStylePost sends client_id and client_secret in the form body
	// (client_secret_post).
	AuthStylePost
	// AuthStyleNone sends only client_id in the form body, for public
	// clients (none).
	AuthStyleNone
)

var authStyleNames = [...]string{"auto", "client_secret_basic", "client_secret_post", "none"}

// String returns the OIDC name of the style, or "auto".
func (s AuthStyle) String() string {
	if s < 0 || int(s) >= len(authStyleNames) {
		return fmt.Sprintf("AuthStyle(%d)", int(s))
	}
	return authStyleNames[s]
}

// ParseAuthStyle returns the style named by an OIDC
// token_endpoint_auth_method value, or "auto".
func ParseAuthStyle(name string) (AuthStyle, error) {
	for i, n := range authStyleNames {
		if n == name {
			return AuthStyle(i), nil
		}
	}
	return AuthStyleAuto, fmt.Errorf("oauth2client: unsupported token endpoint auth method %q", name)
}

// MarshalText implements [encoding.TextMarshaler].
func (s AuthStyle) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements [encoding.TextUnmarshaler].
func (s *AuthStyle) UnmarshalText(b []byte) error {
	v, err := ParseAuthStyle(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Resolve turns AuthStyleAuto into a concrete style, given the client's
// secret and the token_endpoint_auth_methods_supported the endpoint
// advertises (nil if unknown): none without a secret, client_secret_post
// when only that secret method is listed, else client_secret_basic. Other
// styles are returned as they are.
func (s AuthStyle) Resolve(secret string, supported []string) AuthStyle {
	if s != AuthStyleAuto {
		return s
	}
	if secret == "" {
		return AuthStyleNone
	}
	if len(supported) > 0 && !slices.Contains(supported, "client_secret_basic") &&
		slices.Contains(supported, "client_secret_post") {
		return AuthStylePost
	}
	return AuthStyleBasic
}
