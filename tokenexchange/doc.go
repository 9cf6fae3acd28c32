// Package tokenexchange obtains tokens by OAuth 2.0 Token Exchange
// (RFC 8693): a client trades a subject token (and, for delegation, an
// actor token) at a token endpoint for a new token, e.g. one for another
// audience or with fewer scopes.
//
// A [Source] exchanges the token of any [oauth2client.TokenSource], or a
// token read fresh from a file on each exchange (a projected Kubernetes
// service account token, say), and caches the result through
// [oauth2client.NewCachedSource]. Requests go through
// [oauth2client.RequestToken], so the client authenticates as any
// [oauth2client.ClientAuth] does.
//
// RFC 8693 §2.2.1 requires the answer to name the issued token's type
// ("issued_token_type"); an answer without it fails with
// [ErrNoIssuedTokenType]. [IssuedTokenType] reads it from a token. An
// issued token that is not an access token comes with token_type "N_A";
// a Source accepts that type (see [oauth2client.TokenRequest.TokenTypes]),
// and such a token is meant to be passed on, not sent in an Authorization
// header.
package tokenexchange
