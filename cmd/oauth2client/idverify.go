package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

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

// storedVerifier returns the verifier of the ID tokens of credentials
// that did not come from a login in this process, or nil and the reason:
// for the issuer their current ID token names (or Google, when they have
// none and refresh at Google's token endpoint), with the client id as the
// audience. Google's issuer uses Google's keys; another issuer must be on
// the host of the credentials' token endpoint, and its keys are found by
// discovery on first use, which must name that token endpoint: so the
// keys are those of the server the credentials refresh with.
func storedVerifier(c *oauth2client.Credentials, hc *http.Client, log *slog.Logger) (oauth2client.IDTokenVerifier, string) {
	cfg := c.Config()
	iss, _ := c.UnverifiedIDTokenClaims()["iss"].(string)
	switch {
	case cfg.ClientID == "":
		return nil, "no client id"
	case iss == "" && isGoogleTokenURI(cfg.TokenURI), iss == idtoken.GoogleIssuer, iss == "accounts.google.com":
		if !isGoogleTokenURI(cfg.TokenURI) {
			return nil, "its issuer is not the server of the credentials"
		}
		v, err := idtoken.New(&idtoken.Options{Issuer: idtoken.GoogleIssuer, Audiences: []string{cfg.ClientID}, HTTPClient: hc, Logger: log})
		if err != nil {
			return nil, err.Error()
		}
		return v, ""
	case iss == "":
		return nil, "no issuer known"
	case !sameHost(iss, cfg.TokenURI):
		return nil, "its issuer is not the server of the credentials"
	}
	return &discoveredVerifier{issuer: iss, clientID: cfg.ClientID, tokenURI: cfg.TokenURI, hc: hc, log: log}, ""
}

// withVerifier returns stored credentials c with the verifier of their
// refreshes' ID tokens (see storedVerifier), or c when none can be made.
func (f *credFlags) withVerifier(c *oauth2client.Credentials) *oauth2client.Credentials {
	log, _ := f.logger() // checked by check
	v, _ := storedVerifier(c, f.httpClient(), log)
	if v == nil {
		return c
	}
	cfg := c.Config()
	cfg.IDTokenVerifier = v
	return c.WithConfig(cfg)
}

// discoveredVerifier verifies ID tokens with the keys of issuer, found by
// discovery on first use, provided issuer's token endpoint is tokenURI.
type discoveredVerifier struct {
	issuer, clientID, tokenURI string
	hc                         *http.Client
	log                        *slog.Logger

	once sync.Once
	v    *idtoken.Verifier
	err  error
}

// VerifyIDToken implements oauth2client.IDTokenVerifier.
func (d *discoveredVerifier) VerifyIDToken(ctx context.Context, raw, nonce string) (map[string]any, error) {
	d.once.Do(func() { d.v, d.err = d.build(ctx) })
	if d.err != nil {
		return nil, d.err
	}
	return d.v.VerifyIDToken(ctx, raw, nonce)
}

// build discovers the issuer and returns its verifier.
func (d *discoveredVerifier) build(ctx context.Context) (*idtoken.Verifier, error) {
	ep, err := oauth2client.Discover(ctx, d.issuer, &oauth2client.DiscoverOptions{HTTPClient: d.hc, Logger: d.log})
	if err != nil {
		return nil, fmt.Errorf("finding the keys of the ID token's issuer: %w", err)
	}
	if ep.TokenURL != d.tokenURI || ep.JWKSURL == "" {
		return nil, fmt.Errorf("the ID token's issuer %s is not the server of the credentials, or publishes no keys", d.issuer)
	}
	return idtoken.New(&idtoken.Options{Issuer: ep.Issuer, Audiences: []string{d.clientID}, JWKSURL: ep.JWKSURL, HTTPClient: d.hc, Logger: d.log})
}

// verifyStored verifies the current ID token of credentials c for info
// (see storedVerifier) and returns what info shows: "" when there is none.
func verifyStored(ctx context.Context, c *oauth2client.Credentials, hc *http.Client, log *slog.Logger) string {
	line := idTokenLine(c)
	tok := c.CurrentToken()
	if line == "" || c.IDTokenVerified() || tok == nil || tok.IDToken == "" {
		return line
	}
	v, reason := storedVerifier(c, hc, log)
	if v == nil {
		return line + " (" + reason + ")"
	}
	if _, err := v.VerifyIDToken(ctx, tok.IDToken, ""); err != nil {
		return line + " (" + err.Error() + ")"
	}
	return strings.TrimSuffix(line, "decoded, NOT verified") + "verified"
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
