package main

import (
	"context"
	"flag"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientcredentials"
)

// grantHelp is the part of token's help about --grant.
const grantHelp = `
--grant client-credentials gets a token for the client itself (RFC 6749
§4.4), printed and not stored: the client is --client-id with a secret
(--client-secret, --client-secret-file or $` + secretEnv + `) or with
--client-assertion-key FILE (private_key_jwt: a PEM or JWK private key,
RSA, P-256 or Ed25519; its kid is the JWK's or --client-assertion-kid), or
--client-secrets FILE. The token endpoint comes from --issuer (discovery),
--token-uri or the client secrets file. --scope, --audience and --resource
(RFC 8707, repeatable) go into the request.
`

// grantFlags are token's --grant and the flags of the grants it names.
type grantFlags struct {
	name string        // --grant
	x    exchangeFlags // the token exchange flags, --resource among them
}

// register adds the flags to fs.
func (g *grantFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&g.name, "grant", "", "get a new token with the grant `NAME` instead of stored credentials: client-credentials (RFC 6749 §4.4) or token-exchange (RFC 8693: --subject-token-file, --audience, --resource, --scope)")
	g.x.register(fs)
}

// runGrant is token --grant: one token request with the named grant,
// printed in format.
func (e *env) runGrant(ctx context.Context, c *command, cf *credFlags, g *grantFlags, format string) int {
	var (
		tok *oauth2client.Token
		err error
	)
	switch g.name {
	case "client-credentials":
		tok, err = g.clientCredentials(ctx, cf)
	case "token-exchange":
		return e.tokenExchange(ctx, c, cf, &g.x, format)
	default:
		return e.usageError(c, "--grant %q: want client-credentials or token-exchange", g.name)
	}
	if err != nil {
		return e.report(c, err)
	}
	return e.printToken(c, format, tok, nil, "")
}

// check refuses the flags --grant does not use, and the grant flags
// without --grant.
func (g *grantFlags) check(cf *credFlags) error {
	if g.name == "" {
		if len(g.x.resources) > 0 {
			return usagef("--resource needs --grant")
		}
		return nil
	}
	if err := cf.netTimeout.check(); err != nil {
		return err
	}
	switch g.name {
	case "client-credentials":
	case "token-exchange":
		if cf.assertKey != "" || cf.assertKID != "" {
			return usagef("--client-assertion-key works with --grant client-credentials only")
		}
		return nil // the exchange checks its own flags
	default:
		return usagef("--grant %q: want client-credentials or token-exchange", g.name)
	}
	switch {
	case cf.credentials != "" || cf.store != "" || cf.key != "" || cf.subject != "" || cf.saEmail != "" || cf.impersonate != "":
		return usagef("--grant excludes --credentials, --store, --key, --subject, --service-account-email and --impersonate-service-account")
	case cf.clientID == "" && cf.clientSecrets == "":
		return usagef("--grant %s needs --client-id or --client-secrets", g.name)
	case cf.clientSecrets != "" && cf.clientID != "":
		return usagef("--client-secrets and --client-id exclude each other")
	case cf.secret != "" && cf.secretFile != "":
		return usagef("--client-secret and --client-secret-file exclude each other")
	case cf.assertKey != "" && (cf.secret != "" || cf.secretFile != "" || cf.clientSecrets != ""):
		return usagef("--client-assertion-key excludes --client-secret, --client-secret-file and --client-secrets")
	}
	return cf.assertionFlags.check(cf)
}

// clientCredentials requests a token with the client credentials grant.
func (g *grantFlags) clientCredentials(ctx context.Context, cf *credFlags) (*oauth2client.Token, error) {
	log, err := cf.logger()
	if err != nil {
		return nil, err
	}
	cfg := &clientcredentials.Config{
		ClientID: cf.clientID, TokenURL: cf.tokenURI, Scopes: cf.scopes, Audience: cf.audience, Resources: g.x.resources,
		HTTPClient: cf.httpClient(), Logger: log,
	}
	if cf.clientSecrets != "" {
		cs, err := oauth2client.LoadClientSecrets(cf.clientSecrets)
		if err != nil {
			return nil, err
		}
		cfg.ClientID, cfg.ClientSecret = cs.ClientID, cs.ClientSecret
		if cfg.TokenURL == "" {
			cfg.TokenURL = cs.TokenURI
		}
	}
	if cf.issuer != "" {
		if cf.tokenURI != "" {
			return nil, usagef("--issuer and --token-uri exclude each other")
		}
		ep, err := oauth2client.Discover(ctx, cf.issuer, &oauth2client.DiscoverOptions{HTTPClient: cf.httpClient()})
		if err != nil {
			return nil, cf.explain(err)
		}
		cfg.TokenURL = ep.TokenURL
	}
	if cfg.TokenURL == "" {
		return nil, usagef("--grant client-credentials needs the token endpoint: --issuer, --token-uri or --client-secrets")
	}
	switch {
	case cf.assertKey != "":
		if cfg.ClientAuth, err = cf.clientAuth(); err != nil {
			return nil, err
		}
	case cf.clientSecrets == "":
		if cfg.ClientSecret, err = cf.clientSecret(cf.warn); err != nil {
			return nil, err
		}
	}
	if cfg.ClientAuth == nil && cfg.ClientSecret == "" {
		return nil, usagef("--grant client-credentials needs a client secret (--client-secret-file, --client-secret or $%s) or --client-assertion-key", secretEnv)
	}
	tok, err := cfg.Token(ctx)
	if err != nil {
		return nil, cf.explain(err)
	}
	return tok, nil
}
