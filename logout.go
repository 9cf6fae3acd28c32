package oauth2client

import (
	"fmt"
	"net/url"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// LogoutOptions are the parameters of an RP-initiated logout request
// (OpenID Connect RP-Initiated Logout 1.0 §2). Empty fields are not sent.
type LogoutOptions struct {
	// IDTokenHint is the ID token last issued to the client for the user
	// (id_token_hint), e.g. [Credentials.CurrentToken]().IDToken; the
	// recommended way to say who logs out.
	IDTokenHint string
	// PostLogoutRedirectURL is where the provider sends the user after
	// logging out (post_logout_redirect_uri); it must be registered with
	// the provider. It needs IDTokenHint or ClientID.
	PostLogoutRedirectURL string
	// State is passed back to PostLogoutRedirectURL (state).
	State string
	// ClientID identifies the client (client_id), for when there is no
	// IDTokenHint.
	ClientID string
}

// LogoutURL returns the URL to send the user to for logging out at the
// provider: e.EndSessionURL (from discovery's end_session_endpoint) with
// the parameters of o. It fails with [ErrNoEndpoint] when e has no end
// session endpoint, and when the endpoint or the redirect URL are not
// acceptable.
func (e Endpoint) LogoutURL(o LogoutOptions) (string, error) {
	if e.EndSessionURL == "" {
		return "", fmt.Errorf("%w: the endpoint has no end_session_endpoint (EndSessionURL)", ErrNoEndpoint)
	}
	if err := urlpolicy.CheckEndpoint(e.EndSessionURL); err != nil {
		return "", fmt.Errorf("oauth2client: logout: Endpoint.EndSessionURL: %w", err)
	}
	q := url.Values{}
	if o.PostLogoutRedirectURL != "" {
		if err := checkRedirectURL(o.PostLogoutRedirectURL); err != nil {
			return "", fmt.Errorf("oauth2client: logout: PostLogoutRedirectURL: %w", err)
		}
		if o.IDTokenHint == "" && o.ClientID == "" {
			return "", fmt.Errorf("oauth2client: logout: PostLogoutRedirectURL needs IDTokenHint or ClientID (RP-Initiated Logout §2)")
		}
		q.Set("post_logout_redirect_uri", o.PostLogoutRedirectURL)
	}
	for k, v := range map[string]string{"id_token_hint": o.IDTokenHint, "state": o.State, "client_id": o.ClientID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return appendQuery(e.EndSessionURL, q), nil
}
