package oauth2client

import (
	"fmt"
	"io"
	"net/http"
)

// roundTripBound sends req with tok, a token bound to the key of pb, and a proof; a 401 asking for a server nonce is sent once
// more with it, and a 401 after that is handled as for bearer tokens.
func (t *Transport) roundTripBound(req *http.Request, base http.RoundTripper, pb ProofBinder, tok *Token) (*http.Response, error) {
	resp, err := t.sendBound(req, base, pb, tok, req.Body)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	if nonceAsked(pb, req, resp) {
		if !replayable(req) {
			t.debug(req, "oauth2client: 401 asking for a DPoP nonce; no retry: the request body cannot be sent again (no GetBody)")
			return resp, nil
		}
		body, err := bodyAgain(req)
		if err != nil {
			t.debug(req, "oauth2client: 401 asking for a DPoP nonce; no retry: GetBody failed")
			return resp, nil
		}
		drain(resp)
		t.debug(req, "oauth2client: 401 asking for a DPoP nonce; retrying once with it")
		resp, err = t.sendBound(req, base, pb, tok, body)
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			return resp, err
		}
		nonceAsked(pb, req, resp) // remember a newer nonce, but retry no more for it
	}
	return t.retry401(req, base, tok, resp)
}

// sendBound sends a copy of req with body, tok in its Authorization header
// and a proof from pb naming tok, and shows the answer to the
// binder so that it keeps any nonce the server gave.
func (t *Transport) sendBound(req *http.Request, base http.RoundTripper, pb ProofBinder, tok *Token, body io.ReadCloser) (*http.Response, error) {
	r := authorized(req, t.authValue(tok), body)
	pr := &ProofRequest{Method: r.Method, URL: req.URL.String(), Header: r.Header, AccessToken: tok.AccessToken}
	if err := pb.BindRequest(req.Context(), pr); err != nil {
		if body != nil {
			body.Close()
		}
		return nil, fmt.Errorf("oauth2client: Transport: binding the request to the token's key: %w", err)
	}
	resp, err := base.RoundTrip(r)
	if err == nil && resp.StatusCode != http.StatusUnauthorized {
		nonceAsked(pb, req, resp)
	}
	return resp, err
}

// nonceAsked shows resp to the binder, which keeps any nonce in it, and
// reports whether resp asks for the request to be sent again with it.
func nonceAsked(pb ProofBinder, req *http.Request, resp *http.Response) bool {
	if resp.Header.Get("DPoP-Nonce") == "" {
		return false
	}
	return pb.NonceRetry(&ProofAnswer{URL: req.URL.String(), StatusCode: resp.StatusCode, Header: resp.Header})
}

// replayable reports whether req's body can be sent again.
func replayable(req *http.Request) bool {
	return req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
}

// bodyAgain returns req's body for sending req again: a fresh one from
// GetBody, or the empty body itself.
func bodyAgain(req *http.Request) (io.ReadCloser, error) {
	if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
		return req.GetBody()
	}
	return req.Body, nil
}

// drain reads a little of resp's body and closes it, so that its
// connection can carry the retry.
func drain(resp *http.Response) {
	_, _ = io.CopyN(io.Discard, resp.Body, maxDrain)
	resp.Body.Close()
}

// proofBinder returns the binder proving the tokens: t.ProofBinder, or,
// when nil, that of Source when it is [Credentials] with one (such as
// credentials read back from a store with their DPoP key).
func (t *Transport) proofBinder() ProofBinder {
	if t.ProofBinder != nil {
		return t.ProofBinder
	}
	if c, ok := t.Source.(*Credentials); ok {
		return c.proofBinder()
	}
	return nil
}
