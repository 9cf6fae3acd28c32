package clientauth

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
)

// ErrNoJWTMethod reports a private key given for client authentication to
// a server whose metadata lists neither private_key_jwt nor (with a client
// secret) client_secret_jwt.
var ErrNoJWTMethod = errors.New("clientauth: the server lists no JWT client authentication method")

// ErrNoTLSMethod reports a client certificate given for client
// authentication to a server whose metadata lists neither tls_client_auth
// nor self_signed_tls_client_auth.
var ErrNoTLSMethod = errors.New("clientauth: the server lists no TLS client authentication method")

// Keys is what a client holds to authenticate itself; any may be empty.
type Keys struct {
	// Key is the private key of private_key_jwt, nil for none.
	Key crypto.Signer
	// KeyID is the "kid" of Key, empty for none.
	KeyID string
	// Secret is the client secret, empty for none.
	Secret string
	// AuthStyle is the secret-based method when neither JWT method is
	// chosen; [oauth2client.AuthStyleAuto] picks from the endpoint's
	// methods, and only with it is client_secret_jwt ever chosen.
	AuthStyle oauth2client.AuthStyle
	// Certificate is the TLS client certificate of tls_client_auth or
	// self_signed_tls_client_auth (RFC 8705 §2), nil for none.
	Certificate *tls.Certificate
}

// Choose picks the client authentication for ep from what the client
// holds and what ep.TokenAuthMethods (the token endpoint's
// token_endpoint_auth_methods_supported, from discovery) lists:
//
//   - with k.Key: [PrivateKeyJWT] when the server lists private_key_jwt or
//     its methods are unknown; else [ClientSecretJWT] when the server lists
//     client_secret_jwt and k.Secret is set; else an error wrapping
//     [ErrNoJWTMethod] that names the methods the server lists.
//   - with only k.Secret and AuthStyleAuto: [ClientSecretJWT] when
//     client_secret_jwt is the only secret method the server lists (not
//     client_secret_basic nor client_secret_post).
//   - otherwise the method of k.AuthStyle: client_secret_basic, unless the
//     server lists client_secret_post and not client_secret_basic, or none
//     without a secret.
//
// With k.Certificate, it is [TLSClientAuth]: self_signed_tls_client_auth
// when the server lists only that one of the two RFC 8705 methods, or
// lists both (or its methods are unknown) and the certificate is
// self-signed; else tls_client_auth when the server lists it or its
// methods are unknown; else an error wrapping [ErrNoTLSMethod].
//
// opts may be nil and is copied into a JWT method. Choose makes no network
// request.
func Choose(ep oauth2client.Endpoint, k Keys, opts *Options) (oauth2client.ClientAuth, error) {
	methods := ep.TokenAuthMethods
	lists := func(m string) bool { return slices.Contains(methods, m) }
	if k.Certificate != nil {
		a, err := chooseTLS(k.Certificate, methods)
		if err != nil {
			return nil, err // not a nil *TLSClientAuth in a ClientAuth
		}
		return a, nil
	}
	if k.Key != nil {
		switch {
		case len(methods) == 0 || lists("private_key_jwt"):
			return NewPrivateKeyJWT(k.Key, k.KeyID, opts)
		case k.Secret != "" && lists("client_secret_jwt"):
			return NewClientSecretJWT(k.Secret, opts)
		}
		return nil, fmt.Errorf("%w for the key: it lists %s", ErrNoJWTMethod, strings.Join(methods, ", "))
	}
	if k.AuthStyle == oauth2client.AuthStyleAuto && k.Secret != "" &&
		!lists("client_secret_basic") && !lists("client_secret_post") && lists("client_secret_jwt") {
		return NewClientSecretJWT(k.Secret, opts)
	}
	return k.AuthStyle.Resolve(k.Secret, methods).ClientAuth(k.Secret), nil
}

// chooseTLS picks the RFC 8705 method for cert among methods (nil:
// unknown).
func chooseTLS(cert *tls.Certificate, methods []string) (*TLSClientAuth, error) {
	pki := len(methods) == 0 || slices.Contains(methods, MethodTLSClient)
	self := len(methods) == 0 || slices.Contains(methods, MethodSelfSignedTLSClient)
	if !pki && !self {
		return nil, fmt.Errorf("%w for the certificate: it lists %s", ErrNoTLSMethod, strings.Join(methods, ", "))
	}
	leaf := cert.Leaf
	if leaf == nil && len(cert.Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(cert.Certificate[0]) // newTLS reports a bad one
	}
	if self && (!pki || SelfSigned(leaf)) {
		return NewSelfSignedTLSClientAuth(*cert)
	}
	return NewTLSClientAuth(*cert)
}
