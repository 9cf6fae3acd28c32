package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/spec"
	"github.com/oauth2client/oauth2client/tools"
)

func init() {
	register(&command{
		name:    "login",
		args:    "[flags]",
		summary: "sign in through the browser (or a device code) and store the credentials",
		help: `
Login runs the authorization code flow with PKCE: it opens the
authorization page in the browser and receives the redirect on a web
server on 127.0.0.1 (an ephemeral port unless --auth-host-port is given),
exchanges the code and stores the credentials. --no-browser prints the URL
on a line of its own on stderr instead of opening a browser, and waits for
the redirect all the same; --noauth-local-webserver (for a browser on
another machine) uses the device flow when the provider offers it, else
asks to paste the address the browser ended on; --device uses the device
flow (RFC 8628) at once. Login waits for the redirect or the pasted
answer at most --wait-timeout; each network step (discovery, the token
exchange, a device poll) gives up after --timeout. Python oauth2client's
spellings work too: --auth_host_name, --auth_host_port 8080 8090,
--noauth_local_webserver and --logging_level.

The client comes from --client-secrets FILE, or from --client-id with
--issuer URL, whose endpoints are discovered. A confidential client's
secret is read from --client-secret-file FILE (one line), else from the
environment variable OAUTH2CLIENT_CLIENT_SECRET; --client-secret SECRET
also works, but other users can read it in the process list. --issuer
with --client-secrets takes the endpoints from discovery and the client
from the file. Offline access is
asked for, so that the credentials can be refreshed (Google needs
access_type=offline; OpenID providers need --scope offline_access).

The credentials are stored under --key, or under a key derived from the
client id and the sorted scopes, which the other commands derive again
from the same flags.

When the issuer's key set is known (discovery, Google's endpoints, or the
"issuer" field of the client secrets file, discovered), the ID token of
the response is verified (signature, issuer, audience, expiry, nonce) and
login fails if it does not pass; login says whether it was verified.

--par pushes the authorization request to the server's PAR endpoint
(RFC 9126) with client authentication, and the browser gets only the
client id and a request_uri; login does so anyway when the discovery
document says the server requires it.
` + assertionKeyHelp + dpopHelp,
		examples: `
oauth2client login --client-secrets cs.json --scope openid
oauth2client login --client-secrets cs.json --scope "openid email" --no-browser --store file:creds.json
oauth2client login --issuer https://issuer.example --client-id my-app --scope "openid offline_access" --device
oauth2client login --issuer https://issuer.example --client-secrets cs.json --scope openid --par
oauth2client login --issuer https://issuer.example --client-id my-app --scope "openid offline_access" --dpop --store sqlite:creds.db`,
		run: runLogin,
	})
}

// runLogin is the login command.
func runLogin(ctx context.Context, e *env, c *command, args []string) int {
	fs := e.flagSet(c)
	tf := tools.RegisterFlags(fs) // before cf.register: it defines --logging-level
	var cf credFlags
	cf.register(fs)
	noBrowser := fs.Bool("no-browser", false, "do not open a browser: print the authorization URL on stderr and wait for the redirect")
	device := fs.Bool("device", false, "use the device flow (RFC 8628): print a code to enter on another device")
	qr := fs.Bool("qr", false, "with the device flow, also draw its link as a QR code for a phone to scan")
	wait := fs.Duration("wait-timeout", tools.DefaultTimeout, "give up waiting for the redirect or the pasted answer after `DURATION`")
	var df dpopFlags
	df.register(fs)
	par := fs.Bool("par", false, "push the authorization request to the server first (RFC 9126 PAR; needs --issuer, whose discovery names the endpoint); automatic when discovery requires it")
	if code, ok := e.parseFlags(c, fs, tools.PythonArgs(args)); !ok {
		return code
	}
	if cf.credentials != "" {
		return e.usageError(c, "--credentials: login gets new credentials; give --client-secrets or --issuer and --client-id")
	}
	if err := cf.check(); err != nil {
		return e.report(c, err)
	}
	if err := df.check(); err != nil {
		return e.report(c, err)
	}
	if cf.clientSecrets == "" && cf.clientID == "" {
		return e.usageError(c, "login needs --client-secrets FILE, or --issuer URL and --client-id ID")
	}
	if cf.clientID != "" && cf.issuer == "" {
		return e.usageError(c, "--client-id needs --issuer for login, to find the endpoints")
	}
	if *wait <= 0 {
		return e.usageError(c, "--wait-timeout must be positive, not %v", *wait)
	}
	logger, err := cf.logger() // checked by cf.check
	if err != nil {
		return e.report(c, err)
	}

	cs, err := cf.client()
	if err != nil {
		return e.fail(c, err)
	}
	cfg := cs.Config("", cf.scopes...)
	cfg.HTTPClient, cfg.Logger = cf.httpClient(), logger
	if cf.clientSecrets == "" {
		cfg.RedirectURL = ""
	}
	if cf.issuer != "" {
		ep, err := oauth2client.Discover(ctx, cf.issuer, &oauth2client.DiscoverOptions{HTTPClient: cfg.HTTPClient, Logger: logger})
		if err != nil {
			return e.fail(c, cf.explain(err))
		}
		cfg.Endpoint = *ep
	}
	if redirect := cf.redirectURI; redirect != "" {
		if !urlpolicy.IsLoopbackRedirect(redirect) {
			return e.usageError(c, "--redirect-uri %q: want a loopback http URI such as http://127.0.0.1/callback", urlpolicy.Clip(redirect, 80))
		}
		cfg.RedirectURL = redirect
	}
	if cfg.RedirectURL != "" && !urlpolicy.IsLoopbackRedirect(cfg.RedirectURL) {
		cfg.RedirectURL = "" // RunFlow's loopback server picks its own
	}
	vctx, cancel := cf.step(ctx)
	verifier, unverified := loginVerifier(vctx, cfg.Endpoint, cs.ClientID, cfg.HTTPClient, logger)
	cancel()
	cfg.IDTokenVerifier = verifier
	cfg.PAR = *par
	df.apply(&cfg)
	if cf.assertKey != "" {
		if cfg.ClientAuth, err = cf.clientAuth(); err != nil {
			return e.fail(c, err)
		}
	}
	if cf.clientCert != "" {
		if cfg.ClientAuth, err = cf.certAuth(nil); err != nil {
			return e.fail(c, err)
		}
	}
	ref, err := cf.ref()
	if err != nil {
		return e.fail(c, err)
	}
	flow, err := oauth2client.NewFlow(cfg)
	if err != nil {
		return e.fail(c, err)
	}

	t, err := cf.loginTarget(ctx, cs.ClientID)
	if err != nil {
		return e.report(c, err)
	}
	defer t.Close()
	var uses []string
	if ref != nil {
		uses = append(uses, "--client-assertion-key needs a store that keeps the reference to its key")
	}
	if cf.clientCert != "" {
		uses = append(uses, "--client-cert needs a store that keeps the reference to the client certificate its tokens are bound to")
	}
	if df.on {
		uses = append(uses, "--dpop needs a store that keeps the DPoP key")
	}
	if err := checkKeepsExtensions(ctx, t, uses...); err != nil {
		return e.fail(c, err)
	}

	opts := &tools.Options{
		HostName:         tf.AuthHostName,
		Ports:            tf.AuthHostPorts,
		NoLocalWebServer: tf.NoAuthLocalWebServer,
		Device:           *device,
		QRCode:           *qr,
		NoBrowser:        *noBrowser,
		Stdin:            e.stdin,
		Stderr:           e.stderr,
		Timeout:          *wait,
		AuthCodeOptions:  []oauth2client.AuthCodeOption{oauth2client.AccessTypeOffline()},
		Logger:           logger,
	}
	creds, err := tools.RunFlow(ctx, flow, nil, "", opts)
	if err != nil {
		return e.fail(c, explainWait(ctx, cf.explain(err)))
	}
	if creds, err = saveLogin(ctx, t, creds, ref); err != nil {
		return e.fail(c, err)
	}
	tok := creds.CurrentToken()
	fmt.Fprintf(e.stderr, "Logged in as client %s with scopes %q; credentials stored in %s under key %s.\n",
		cs.ClientID, strings.Join(creds.Scopes(), " "), t.spec, t.key)
	switch line := idTokenLine(creds); {
	case line == "":
	case verifier == nil:
		fmt.Fprintf(e.stderr, "ID token: %s (%s).\n", line, unverified)
	default:
		fmt.Fprintf(e.stderr, "ID token: %s.\n", line)
	}
	if kind, jkt := binding(creds); kind != "" {
		fmt.Fprintf(e.stderr, "Tokens bound to a %s key (jkt %s), stored with the credentials.\n", kind, jkt)
	}
	if tok == nil || tok.RefreshToken == "" {
		fmt.Fprintln(e.stderr, "Note: the server issued no refresh token, so you will need to log in again when the access token expires (OpenID providers issue one for --scope offline_access).")
	}
	return exitOK
}

// saveLogin saves the credentials of a login in t, with the reference to
// the client assertion key (nil: none), and returns them bound to t.
func saveLogin(ctx context.Context, t *target, creds *oauth2client.Credentials, ref *assertionKeyRef) (*oauth2client.Credentials, error) {
	st, err := ref.withExtension(creds.State())
	if err != nil {
		return nil, err
	}
	if err := t.store.Save(ctx, t.key, st); err != nil {
		return nil, fmt.Errorf("save the credentials in store %s under key %s: %w", t.spec, t.key, explainExtensions(err))
	}
	return store.BindCredentials(t.store, t.key, st.Credentials(creds.Config()), nil), nil
}

// loginTarget opens the store login saves to, under --key or the key
// derived from clientID and the scopes.
func (f *credFlags) loginTarget(ctx context.Context, clientID string) (*target, error) {
	sp, err := f.storeSpec()
	if err != nil {
		return nil, err
	}
	sctx, cancel := f.step(ctx)
	defer cancel()
	log, _ := f.logger() // checked by check
	s, err := sp.Open(sctx, &spec.OpenOptions{Logger: log})
	if err != nil {
		return nil, f.explainStep(sctx, err)
	}
	key := canonicalKey(f.key)
	if key == "" {
		key = derivedKey(clientID, f.userAgent, f.scopes)
	}
	return &target{store: s, spec: sp, key: key, clientID: clientID}, nil
}
