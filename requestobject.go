package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"
)

// RequestObjectSigner signs request objects (RFC 9101): JWTs carrying the
// parameters of an authorization request, which the authorization server
// checks with the client's registered key. Package requestobject has an
// implementation that signs with a private key; the root package holds no
// JOSE code.
type RequestObjectSigner interface {
	// SignRequestObject returns the compact JWS of claims, signed with the
	// client's key.
	SignRequestObject(ctx context.Context, claims map[string]any) (string, error)
}

// requestObjectTTL is the lifetime written into request objects.
const requestObjectTTL = 5 * time.Minute

// requestObjectParams replaces the authorization parameters q by a signed
// request object (RFC 9101 §4, §5): the parameters become claims, with
// "iss" the client, "aud" the issuer (else the authorization endpoint),
// "iat", "nbf", "exp" and a unique "jti"; the returned parameters are
// client_id and request, plus response_type and scope repeated for OpenID
// Connect servers (OIDC Core §6.1; RFC 9101 §5 allows the duplicates).
func (f *Flow) requestObjectParams(ctx context.Context, q url.Values) (url.Values, error) {
	now := f.now()
	claims := make(map[string]any, len(q)+6)
	for k, v := range q {
		claims[k] = v[0]
	}
	aud := f.cfg.Endpoint.Issuer
	if aud == "" {
		aud = f.cfg.Endpoint.AuthURL
	}
	claims["iss"] = f.cfg.ClientID
	claims["aud"] = aud
	claims["iat"] = now.Unix()
	claims["nbf"] = now.Unix()
	claims["exp"] = now.Add(requestObjectTTL).Unix()
	claims["jti"] = randomString(16)
	jwt, err := f.cfg.RequestObjectSigner.SignRequestObject(ctx, claims)
	if err != nil {
		return nil, fmt.Errorf("oauth2client: start authorization: Config.RequestObjectSigner: %w", err)
	}
	if jwt == "" {
		return nil, errors.New("oauth2client: start authorization: Config.RequestObjectSigner returned an empty request object")
	}
	out := url.Values{"client_id": {f.cfg.ClientID}, "request": {jwt}, "response_type": q["response_type"]}
	if s := q.Get("scope"); s != "" {
		out.Set("scope", s)
	}
	return out, nil
}
