package main

import (
	"context"
	"flag"
	"fmt"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/tokenexchange"
)

// exchangeFlags are the flags of token --grant token-exchange.
type exchangeFlags struct {
	subjectFile, subjectType string
	actorFile, actorType     string
	requestedType            string
	resources                multiFlag
}

// register adds the flags to fs.
func (x *exchangeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&x.subjectFile, "subject-token-file", "", "with --grant token-exchange, the subject token to exchange, read from `FILE`")
	fs.StringVar(&x.subjectType, "subject-token-type", tokenexchange.TokenTypeAccessToken, "with --grant token-exchange, the subject token's `TYPE` (an RFC 8693 token type URI)")
	fs.StringVar(&x.actorFile, "actor-token-file", "", "with --grant token-exchange, an actor token (delegation) read from `FILE`")
	fs.StringVar(&x.actorType, "actor-token-type", tokenexchange.TokenTypeAccessToken, "with --grant token-exchange, the actor token's `TYPE`")
	fs.StringVar(&x.requestedType, "requested-token-type", "", "with --grant token-exchange, the `TYPE` of token wanted (default: the server's choice)")
	fs.Var(&x.resources, "resource", "with --grant, the `URI` of a target service (RFC 8707); repeat it for several")
}

// used reports whether a flag of the exchange was given.
func (x *exchangeFlags) used(fs *flag.FlagSet) bool {
	used := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "subject-token-file", "subject-token-type", "actor-token-file", "actor-token-type", "requested-token-type", "resource":
			used = true
		}
	})
	return used
}

// check checks the flags of an exchange with the credential flags cf.
func (x *exchangeFlags) check(cf *credFlags) error {
	if err := cf.netTimeout.check(); err != nil {
		return err
	}
	if _, err := cf.logger(); err != nil {
		return err
	}
	switch {
	case x.subjectFile == "":
		return usagef("--grant token-exchange needs --subject-token-file")
	case cf.clientSecrets == "" && cf.clientID == "":
		return usagef("--grant token-exchange needs --client-secrets FILE, or --issuer URL and --client-id ID")
	case cf.clientSecrets != "" && cf.clientID != "":
		return usagef("--client-secrets and --client-id exclude each other")
	case cf.clientID != "" && cf.issuer == "":
		return usagef("--client-id needs --issuer for --grant token-exchange, to find the token endpoint")
	case cf.secret != "" && cf.secretFile != "":
		return usagef("--client-secret and --client-secret-file exclude each other")
	case cf.credentials != "" || cf.store != "" || cf.key != "" || cf.subject != "" || cf.saEmail != "" || cf.tokenURI != "":
		return usagef("--grant token-exchange excludes --credentials, --store, --key, --subject, --service-account-email and --token-uri")
	case cf.impersonate != "":
		return usagef("--grant token-exchange excludes --impersonate-service-account")
	}
	return nil
}

// tokenExchange is token --grant token-exchange: it exchanges the subject
// token for a new one at the client's token endpoint and prints it.
func (e *env) tokenExchange(ctx context.Context, c *command, cf *credFlags, x *exchangeFlags, format string) int {
	if err := x.check(cf); err != nil {
		return e.report(c, err)
	}
	logger, err := cf.logger()
	if err != nil {
		return e.report(c, err)
	}
	cs, err := cf.client()
	if err != nil {
		return e.fail(c, err)
	}
	hc := cf.httpClient()
	tokenURL := cs.TokenURI
	if cf.issuer != "" {
		ep, err := oauth2client.Discover(ctx, cf.issuer, &oauth2client.DiscoverOptions{HTTPClient: hc, Logger: logger})
		if err != nil {
			return e.fail(c, cf.explain(err))
		}
		tokenURL = ep.TokenURL
	}
	if tokenURL == "" {
		return e.fail(c, fmt.Errorf("no token endpoint: the issuer %s names none", cf.issuer))
	}
	cfg := &tokenexchange.Config{
		TokenURL: tokenURL, ClientID: cs.ClientID, ClientSecret: cs.ClientSecret,
		Subject:            tokenexchange.InputToken{File: x.subjectFile, Type: x.subjectType},
		Resource:           x.resources,
		Scopes:             cf.scopes,
		RequestedTokenType: x.requestedType,
		HTTPClient:         hc, Logger: logger,
	}
	if cf.audience != "" {
		cfg.Audience = []string{cf.audience}
	}
	if x.actorFile != "" {
		cfg.Actor = &tokenexchange.InputToken{File: x.actorFile, Type: x.actorType}
	}
	src, err := tokenexchange.NewSource(cfg)
	if err != nil {
		return e.fail(c, err)
	}
	tok, err := src.Exchange(ctx)
	if err != nil {
		return e.fail(c, cf.explain(err))
	}
	if typ := tokenexchange.IssuedTokenType(tok); typ != tokenexchange.TokenTypeAccessToken {
		fmt.Fprintf(cf.warn, "oauth2client %s: the issued token's type is %s\n", c.name, typ)
	}
	return e.printToken(c, format, tok, nil)
}
