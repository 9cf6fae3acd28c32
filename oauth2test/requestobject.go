package oauth2test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// requestObjectAlgs are the algorithms request objects may be signed with.
var requestObjectAlgs = []string{jose.RS256, jose.ES256, jose.EdDSA}

// requestObjectParams resolves the "request" parameter of an authorization
// request (RFC 9101 §6): the JWT must be signed with the client's
// RequestObjectKey, name the client as "iss" (and "client_id", if
// present), have the server as "aud", and not be expired; its claims then
// replace the parameters, as RFC 9101 §6.3 says.
func (s *Server) requestObjectParams(q url.Values) (url.Values, *oauthError) {
	bad := func(desc string) *oauthError {
		return &oauthError{http.StatusBadRequest, "invalid_request_object", desc}
	}
	clientID := q.Get("client_id")
	s.mu.Lock()
	c := s.clients[clientID]
	s.mu.Unlock()
	switch {
	case c == nil:
		return nil, bad("unknown or missing client_id")
	case c.RequestObjectKey == nil:
		return nil, bad("the client has no registered request object key")
	}
	jws, err := jose.Parse(q.Get("request"), requestObjectAlgs)
	if err != nil {
		return nil, bad("the request object is not a JWS signed with " + strings.Join(requestObjectAlgs, ", "))
	}
	// The client has one key, whatever "kid" its header names.
	set, err := jose.NewKeySet(jose.Key{KID: jws.Header.KID, Public: c.RequestObjectKey})
	if err != nil {
		return nil, bad("the client's request object key is unusable")
	}
	payload, err := jws.Verify(set)
	if err != nil {
		return nil, bad("the request object does not verify with the client's key")
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil || claims == nil {
		return nil, bad("the request object's claims are not a JSON object")
	}
	exp, _ := claims["exp"].(float64)
	switch {
	case claims["iss"] != clientID:
		return nil, bad("iss is not the client")
	case claims["client_id"] != nil && claims["client_id"] != clientID:
		return nil, bad("client_id is not the client")
	case claims["aud"] != s.URL:
		return nil, bad("aud is not the issuer")
	case exp == 0 || !s.now().Before(time.Unix(int64(exp), 0)):
		return nil, bad("the request object expired or has no exp")
	}
	params := url.Values{"client_id": {clientID}}
	for k, v := range claims {
		switch k {
		case "iss", "aud", "exp", "iat", "nbf", "jti", "request", "request_uri":
			continue
		}
		switch v := v.(type) {
		case string:
			params.Set(k, v)
		case float64:
			params.Set(k, strconv.FormatFloat(v, 'f', -1, 64))
		case bool:
			params.Set(k, strconv.FormatBool(v))
		default:
			return nil, bad("claim " + k + " is not a string, number or boolean")
		}
	}
	return params, nil
}
