package oauth2client

import (
	"context"
	"net/http"
)

// ProofBinder binds requests to a key the client holds, so that the tokens
// issued are sender-constrained, as DPoP does (RFC 9449). A nil ProofBinder
// means bearer tokens.
//
// The token requests of a [Flow], [Credentials] or [RequestToken] with a
// ProofBinder carry its proof on every try, accept only token responses of
// the type it names, and are sent once more when it says a server's answer
// asks for a nonce. Resource requests through a [Transport] with the
// ProofBinder carry its proofs too, naming the token (see
// [Transport.ProofBinder]).
//
// Implementations must be safe for concurrent use.
type ProofBinder interface {
	// TokenType is the token_type the binder's tokens have (RFC 6749
	// §7.1), e.g. "DPoP"; token responses of another type are refused
	// with [ErrUnsupportedTokenType].
	TokenType() string
	// BindRequest adds a proof of possession to r's header, e.g. a DPoP
	// header (RFC 9449 §4). It is called for each try, after client
	// authentication.
	BindRequest(ctx context.Context, r *ProofRequest) error
	// NonceRetry reports whether a's answer asks for the request to be
	// sent once more with a nonce the server chose, keeping that nonce
	// for the next proofs: at a token endpoint, error "use_dpop_nonce"
	// with a DPoP-Nonce header (RFC 9449 §8). A request is sent again for
	// this at most once.
	NonceRetry(a *ProofAnswer) bool
}

// ProofRequest is a request a [ProofBinder] adds its proof to.
type ProofRequest struct {
	// Method is the HTTP method, e.g. "POST".
	Method string
	// URL is the request's URL, e.g. the token endpoint.
	URL string
	// Header is the request's header, to add the proof to.
	Header http.Header
	// AccessToken is the token a resource request carries (for DPoP's
	// "ath" claim); empty for requests to the authorization server.
	AccessToken string
}

// ProofAnswer is a server's answer shown to [ProofBinder.NonceRetry].
type ProofAnswer struct {
	// URL is the URL of the request answered.
	URL string
	// StatusCode is the HTTP status.
	StatusCode int
	// Header is the response header, e.g. with DPoP-Nonce.
	Header http.Header
	// ErrorCode is the RFC 6749 §5.2 "error" of the body, if any.
	ErrorCode string
}
