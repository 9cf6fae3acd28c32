package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/idtoken"
)

// loginVerifier returns the verifier of the ID tokens login receives, for
// the client clientID at ep: with ep's issuer and key set when it names
// both (discovery, Google's endpoints); through the discovery of the
// issuer otherwise (a client secrets file with an "issuer" field, such as
// the one 'serve --client-secrets-out' writes). It returns nil and the
// reason when ep names no issuer or its discovery fails: login then goes
// on without verifying, and says so.
func loginVerifier(ctx context.Context, ep oauth2client.Endpoint, clientID string, hc *http.Client, log *slog.Logger) (oauth2client.IDTokenVerifier, string) {
	opts := &idtoken.Options{Issuer: ep.Issuer, Audiences: []string{clientID}, JWKSURL: ep.JWKSURL, HTTPClient: hc, Logger: log}
	var (
		v   *idtoken.Verifier
		err error
	)
	switch {
	case ep.Issuer == "":
		return nil, "the endpoints name no issuer"
	case ep.JWKSURL != "":
		v, err = idtoken.New(opts)
	default:
		v, err = idtoken.NewFromDiscovery(ctx, ep.Issuer, opts)
	}
	if err != nil {
		return nil, fmt.Sprintf("no key set for issuer %s: %v", ep.Issuer, err)
	}
	return v, ""
}

// idTokenLine says whether credentials hold an ID token, for whom, and
// whether it was verified; "" when they hold none.
func idTokenLine(c *oauth2client.Credentials) string {
	claims := c.IDTokenClaims()
	if claims == nil {
		return ""
	}
	who := fmt.Sprint(claims["sub"])
	if email, ok := claims["email"].(string); ok && email != "" {
		who += " (" + email + ")"
	}
	if c.IDTokenVerified() {
		return fmt.Sprintf("subject %s, issuer %v: verified", who, claims["iss"])
	}
	return fmt.Sprintf("subject %s, issuer %v: decoded, NOT verified", who, claims["iss"])
}

// verifyStored verifies the ID token of stored credentials for info: with
// the keys of the issuer it names, found by discovery (Google's for
// Google), provided that issuer's token endpoint is the one the
// credentials refresh with, and the client id as the audience. It returns
// what info shows: "" when there is no ID token.
func verifyStored(ctx context.Context, c *oauth2client.Credentials, hc *http.Client, log *slog.Logger) string {
	tok := c.CurrentToken()
	claims := c.UnverifiedIDTokenClaims()
	if tok == nil || tok.IDToken == "" || claims == nil {
		return idTokenLine(c)
	}
	cfg := c.Config()
	iss, _ := claims["iss"].(string)
	ep := oauth2client.GoogleEndpoint
	if iss != idtoken.GoogleIssuer && iss != "accounts.google.com" {
		if !sameHost(iss, cfg.TokenURI) {
			return idTokenLine(c) + " (its issuer is not the server of the credentials)"
		}
		d, err := oauth2client.Discover(ctx, iss, &oauth2client.DiscoverOptions{HTTPClient: hc, Logger: log})
		if err != nil {
			return idTokenLine(c) + " (cannot discover its issuer)"
		}
		ep = *d
	}
	if ep.TokenURL != cfg.TokenURI && !(ep.Issuer == idtoken.GoogleIssuer && isGoogleTokenURI(cfg.TokenURI)) {
		return idTokenLine(c) + " (its issuer is not the server of the credentials)"
	}
	v, err := idtoken.New(&idtoken.Options{Issuer: ep.Issuer, Audiences: []string{cfg.ClientID}, JWKSURL: ep.JWKSURL, HTTPClient: hc, Logger: log})
	if err == nil {
		_, err = v.VerifyIDToken(ctx, tok.IDToken, "")
	}
	if err != nil {
		return idTokenLine(c) + " (" + err.Error() + ")"
	}
	line := idTokenLine(c)
	if !c.IDTokenVerified() {
		line = strings.TrimSuffix(line, "decoded, NOT verified") + "verified"
	}
	return line
}

// isGoogleTokenURI reports whether u is one of Google's token endpoints.
func isGoogleTokenURI(u string) bool {
	return u == oauth2client.GoogleEndpoint.TokenURL || u == "https://accounts.google.com/o/oauth2/token" || u == "https://www.googleapis.com/oauth2/v4/token"
}

// sameHost reports whether the URLs a and b have the same scheme and host.
func sameHost(a, b string) bool {
	x, err1 := url.Parse(a)
	y, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && x.Host != "" && x.Scheme == y.Scheme && x.Host == y.Host
}
