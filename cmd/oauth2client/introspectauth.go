package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
)

// noPublicIntrospection is the error of a public client whose server's
// discovery lists no introspection authentication the client can do: info
// then does not ask, and says why.
type noPublicIntrospection struct {
	issuer, clientID string
	methods          []string
}

func (e *noPublicIntrospection) Error() string {
	return fmt.Sprintf("the introspection endpoint of %s accepts only %s (its discovery's introspection_endpoint_auth_methods_supported), and client %s has no secret or key",
		e.issuer, strings.Join(e.methods, ", "), e.clientID)
}

// publicIntrospection returns the credentials c of a public client (no
// secret, no other client authentication) authenticating to their
// introspection endpoint as the server's discovery says
// (introspection_endpoint_auth_methods_supported): as none when it lists
// none, or lists nothing, or cannot be found; else with client_secret_basic
// (or client_secret_post) and an empty secret, as RFC 6749 §2.3.1 spells a
// client without a password; every other endpoint still gets none. When
// the list holds no method a client without a secret or key can use, it
// returns a *noPublicIntrospection. The server is the
// issuer of the current ID token, on the host of the introspection
// endpoint, whose discovery names that endpoint; other credentials are
// returned as they are.
func (f *credFlags) publicIntrospection(ctx context.Context, c *oauth2client.Credentials) (*oauth2client.Credentials, error) {
	cfg := c.Config()
	if cfg.IntrospectionURI == "" || cfg.ClientSecret != "" || cfg.ClientAuth != nil {
		return c, nil
	}
	iss, _ := c.UnverifiedIDTokenClaims()["iss"].(string)
	if iss == "" || !sameHost(iss, cfg.IntrospectionURI) {
		return c, nil
	}
	log, _ := f.logger() // checked by check
	ep, err := oauth2client.Discover(ctx, iss, &oauth2client.DiscoverOptions{HTTPClient: f.httpClient(), Logger: log})
	if err != nil || ep.IntrospectionURL != cfg.IntrospectionURI {
		return c, nil // unknown: ask as a public client does
	}
	methods := ep.IntrospectionAuthMethods
	var style oauth2client.AuthStyle
	switch {
	case len(methods) == 0 || slices.Contains(methods, "none"):
		return c, nil
	case slices.Contains(methods, "client_secret_basic"):
		style = oauth2client.AuthStyleBasic
	case slices.Contains(methods, "client_secret_post"):
		style = oauth2client.AuthStylePost
	default:
		return c, &noPublicIntrospection{issuer: iss, clientID: cfg.ClientID, methods: methods}
	}
	cfg.ClientAuth = publicIntrospectionAuth{introspection: style.ClientAuth("")}
	return c.WithConfig(cfg), nil
}

// publicIntrospectionAuth is a public client's authentication: introspection
// for the introspection endpoint, none for the others.
type publicIntrospectionAuth struct {
	introspection oauth2client.ClientAuth
}

// Method implements oauth2client.ClientAuth: "none", what the client is.
func (publicIntrospectionAuth) Method() string { return oauth2client.AuthStyleNone.String() }

// Authenticate implements oauth2client.ClientAuth.
func (a publicIntrospectionAuth) Authenticate(ctx context.Context, r *oauth2client.ClientAuthRequest) error {
	if r.Endpoint == "introspection" {
		return a.introspection.Authenticate(ctx, r)
	}
	return oauth2client.AuthStyleNone.ClientAuth("").Authenticate(ctx, r)
}
