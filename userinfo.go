package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// ErrUserInfoSubject means the "sub" of a UserInfo answer is not the "sub"
// of the credentials' ID token (OIDC Core §5.3.2): the answer must not be
// used.
var ErrUserInfoSubject = errors.New("oauth2client: userinfo sub is not the ID token's sub")

// UserInfo asks the OIDC UserInfo endpoint (CredentialsConfig.UserInfoURI,
// set by a [Flow] from Endpoint.UserInfoURL) for the claims about the
// user, with a GET carrying the credentials' access token (refreshed as
// [Credentials.Token] does), and a proof when the token is bound to the
// key of their ProofBinder (DPoP), and returns them.
//
// The answer must be a JSON object with a string "sub". When the
// credentials hold an ID token, its "sub" (of the verified claims when a
// verifier checked it, see [Credentials.IDTokenClaims]) must equal the
// answer's, else the error wraps [ErrUserInfoSubject] (OIDC Core §5.3.2).
// Signed or encrypted answers (application/jwt) are refused: this package
// does not verify them. A refusal is an [*Error] with Endpoint "userinfo";
// without a UserInfoURI UserInfo fails with [ErrNoEndpoint].
func (c *Credentials) UserInfo(ctx context.Context) (map[string]any, error) {
	if c.cfg.UserInfoURI == "" {
		return nil, fmt.Errorf("%w: credentials have no UserInfo URI", ErrNoEndpoint)
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return nil, err
	}
	client := c.client()
	call := endpointCall{
		endpoint: "userinfo", field: "CredentialsConfig.UserInfoURI", url: c.cfg.UserInfoURI,
		header: http.Header{"Authorization": {tok.Type() + " " + tok.AccessToken}},
	}
	if pb := c.cfg.ProofBinder; pb != nil && strings.EqualFold(tok.Type(), pb.TokenType()) {
		// A bound token (DPoP): a proof naming it, and one retry when the
		// server asks for its nonce (RFC 9449 §7, §9).
		call.proof, call.token = true, tok.AccessToken
	}
	resp, err := client.send(ctx, call)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, newError("userinfo", resp, nil)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/jwt" {
		return nil, errors.New("oauth2client: userinfo: the answer is signed or encrypted (application/jwt), which is not supported; ask the provider for JSON")
	}
	claims, err := parseUserInfo(resp.Body)
	if err != nil {
		return nil, newError("userinfo", resp, err)
	}
	sub := claims["sub"].(string)
	if id := c.IDTokenClaims(); id != nil {
		if idSub, _ := id["sub"].(string); idSub != sub {
			return nil, fmt.Errorf("oauth2client: userinfo: %w", ErrUserInfoSubject)
		}
	}
	return claims, nil
}

// parseUserInfo reads a JSON UserInfo answer: an object with a non-empty
// string "sub" (OIDC Core §5.3.2). Errors wrap ErrMalformedResponse.
func parseUserInfo(body []byte) (map[string]any, error) {
	var claims map[string]any
	if err := json.Unmarshal(body, &claims); err != nil || claims == nil {
		return nil, fmt.Errorf("%w: the answer is not a JSON object", ErrMalformedResponse)
	}
	if sub, _ := claims["sub"].(string); sub == "" {
		return nil, fmt.Errorf("%w: no string \"sub\" (OIDC Core §5.3.2)", ErrMalformedResponse)
	}
	return claims, nil
}
