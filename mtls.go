package oauth2client

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// CertificateAuth is the optional interface of a [ClientAuth] that
// authenticates the client by a TLS client certificate: tls_client_auth
// and self_signed_tls_client_auth (RFC 8705 §2), as package clientauth's
// TLSClientAuth does.
//
// Every request a [Flow] or [Credentials] with such a ClientAuth sends to
// the authorization server (token, device authorization, PAR, revocation,
// introspection, userinfo) presents the certificate, through a clone of
// the HTTPClient's transport (which must then be an *http.Transport, or
// nil); a [Flow] sends them to the server's mtls_endpoint_aliases when
// discovery gave any (see [Endpoint.MTLS]). The server may bind the access
// tokens it issues to the certificate (RFC 8705 §3); a [Transport] whose
// Source is such [Credentials] presents the certificate to resource
// servers too, so those tokens work there.
type CertificateAuth interface {
	ClientAuth
	// TLSCertificate returns the certificate to present; it must not be
	// modified. Connections are pooled by the certificate chain (not the
	// pointer): credentials loading the same certificate again share one
	// pool.
	TLSCertificate() *tls.Certificate
}

// ClientAuthExtension is the optional interface of a [ClientAuth] that
// keeps a field with the state of the credentials it authenticates
// ([CredentialsState].Extensions), e.g. where its client certificate is,
// so that credentials read back from a store can authenticate again.
// [Credentials.State] adds the field.
type ClientAuthExtension interface {
	// StateExtension returns the field's name and JSON value; an empty
	// name adds nothing. The value is stored like a refresh token: it may
	// hold key material, and must never be logged.
	StateExtension() (name string, value json.RawMessage)
}

// certificateOf returns the TLS client certificate a presents, or nil.
func certificateOf(a ClientAuth) *tls.Certificate {
	if ca, ok := a.(CertificateAuth); ok {
		return ca.TLSCertificate()
	}
	return nil
}

// TLSCertificate returns the TLS client certificate c's [ClientAuth]
// presents (see [CertificateAuth]), or nil when it presents none. Tokens
// bound to it (RFC 8705 §3) work only from a connection presenting it: a
// [Transport] with c as its Source presents it.
func (c *Credentials) TLSCertificate() *tls.Certificate {
	return certificateOf(c.cfg.ClientAuth)
}

// withAuthExtension adds the extension field of a, if any, to ext, which
// it returns (a copy when changed).
func withAuthExtension(ext map[string]json.RawMessage, a ClientAuth) map[string]json.RawMessage {
	ae, ok := a.(ClientAuthExtension)
	if !ok {
		return ext
	}
	name, v := ae.StateExtension()
	if name == "" {
		return ext
	}
	ext = maps.Clone(ext)
	if ext == nil {
		ext = make(map[string]json.RawMessage, 1)
	}
	ext[name] = v
	return ext
}

// mtlsAliasFields are the endpoints of an [Endpoint] that RFC 8705 §5's
// mtls_endpoint_aliases may replace, by metadata name.
func (e *Endpoint) mtlsAliasFields() map[string]*string {
	return map[string]*string{
		"token_endpoint":                        &e.TokenURL,
		"revocation_endpoint":                   &e.RevocationURL,
		"introspection_endpoint":                &e.IntrospectionURL,
		"device_authorization_endpoint":         &e.DeviceAuthURL,
		"userinfo_endpoint":                     &e.UserInfoURL,
		"pushed_authorization_request_endpoint": &e.PushedAuthURL,
	}
}

// MTLS returns e with its endpoints replaced by their
// MTLSEndpointAliases (RFC 8705 §5): token, revocation, introspection,
// device authorization, userinfo and PAR. The endpoints without an alias
// are kept. A [Flow] whose ClientAuth presents a certificate uses it.
func (e Endpoint) MTLS() Endpoint {
	e = e.clone()
	for name, dst := range e.mtlsAliasFields() {
		if u := e.MTLSEndpointAliases[name]; u != "" {
			*dst = u
		}
	}
	return e
}

// parseMTLSAliases reads "mtls_endpoint_aliases" of discovery document
// doc into e, checking each URL as the endpoints are checked.
func parseMTLSAliases(doc map[string]json.RawMessage, e *Endpoint) error {
	raw, ok := doc["mtls_endpoint_aliases"]
	if !ok || isJSONNull(raw) {
		return nil
	}
	var aliases map[string]json.RawMessage
	if err := json.Unmarshal(raw, &aliases); err != nil {
		return fmt.Errorf("%w: field \"mtls_endpoint_aliases\" is %s, want an object", ErrMalformedResponse, rawJSONKind(raw))
	}
	known := e.mtlsAliasFields()
	for name, v := range aliases {
		if _, ok := known[name]; !ok {
			continue // other endpoints this client does not call
		}
		var u string
		if err := json.Unmarshal(v, &u); err != nil {
			return fmt.Errorf("%w: field \"mtls_endpoint_aliases\".%q is %s, want a string", ErrMalformedResponse, urlpolicy.Clip(name, 64), rawJSONKind(v))
		}
		if err := urlpolicy.CheckEndpoint(u); err != nil {
			return fmt.Errorf("%w: field \"mtls_endpoint_aliases\".%q: %v", ErrMalformedResponse, name, err)
		}
		if e.MTLSEndpointAliases == nil {
			e.MTLSEndpointAliases = make(map[string]string)
		}
		e.MTLSEndpointAliases[name] = u
	}
	return nil
}

// certSource is a token source whose tokens may be bound to a TLS client
// certificate, as [Credentials] are.
type certSource interface {
	TLSCertificate() *tls.Certificate
}

// base returns the transport t sends through: Base (nil:
// http.DefaultTransport), cloned to present the client certificate of
// t.Source when it has one (RFC 8705 §3: a certificate-bound token is
// good only from a connection presenting its certificate).
func (t *Transport) base() (http.RoundTripper, error) {
	base := t.plainBase()
	cs, ok := t.Source.(certSource)
	if !ok {
		return base, nil
	}
	cert := cs.TLSCertificate()
	if cert == nil {
		return base, nil
	}
	ct, err := oauthhttp.CertTransport(base, cert)
	if err != nil {
		return nil, fmt.Errorf("oauth2client: Transport.Base: %w", err)
	}
	return ct, nil
}

// plainBase returns Base, or http.DefaultTransport when it is nil: the
// transport of requests that present no client certificate.
func (t *Transport) plainBase() http.RoundTripper {
	if t.Base == nil {
		return http.DefaultTransport
	}
	return t.Base
}
