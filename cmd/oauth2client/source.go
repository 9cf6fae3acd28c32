package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/google"
	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/internal/urlpolicy"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/file"
	"github.com/oauth2client/oauth2client/store/spec"
	"github.com/oauth2client/oauth2client/tools"
)

// sourceHelp is the part of each credential command's --help that says
// where credentials come from.
const sourceHelp = `
Credentials are kept in a store (--store; the default is the file
oauth2client/credentials.json in the user config folder, mode 0600) under
a key. The key is --key when given, else it derives from the client id
(--client-secrets or --client-id) and the sorted scopes, so a command with
the same flags as 'login' finds what 'login' stored; a store holding one
entry (such as a one-credential file written by Python's file.Storage)
needs neither. --credentials FILE reads credentials from FILE instead: an
oauth2client credentials file (refreshed in place), a gcloud-style
authorized_user or impersonated_service_account file (refreshed in
memory), a service account's key file (JSON, or P12 with
--service-account-email EMAIL and, unless the key is for Google,
--token-uri URL) or Python oauth2client's ServiceAccountCredentials JSON
(tokens from the JWT-bearer grant, kept in memory; --subject acts for a
user by domain-wide delegation, --audience makes a self-signed
JWT for that audience instead, with no token request). A refresh of
stored credentials verifies the new ID token when the old one names the
server the credentials refresh with (Google, or an issuer on the token
endpoint's host, whose keys discovery finds), and fails if it does not
pass.
` + assertionKeyHelp + clientCertHelp

// scopeList is a repeatable flag whose values may hold several
// space-separated scopes.
type scopeList []string

func (s *scopeList) String() string { return strings.Join(*s, " ") }

func (s *scopeList) Set(v string) error {
	*s = append(*s, strings.Fields(v)...)
	return nil
}

// sorted returns the scopes sorted, without duplicates.
func (s scopeList) sorted() []string {
	out := slices.Clone([]string(s))
	slices.Sort(out)
	return slices.Compact(out)
}

// multiFlag is a repeatable string flag.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, ", ") }

func (m *multiFlag) Set(v string) error {
	*m = append(*m, v)
	return nil
}

// usageErr marks an error as a wrong command line (exit code 2).
type usageErr struct{ err error }

func (u usageErr) Error() string { return u.err.Error() }
func (u usageErr) Unwrap() error { return u.err }

// usagef returns a usage error.
func usagef(format string, args ...any) error {
	return usageErr{fmt.Errorf(format, args...)}
}

// report prints err for command c and returns the exit code its kind
// calls for.
func (e *env) report(c *command, err error) int {
	var u usageErr
	if errors.As(err, &u) {
		return e.usageError(c, "%v", u.err)
	}
	return e.fail(c, err)
}

// credFlags are the flags naming where credentials come from.
type credFlags struct {
	clientSecrets string
	issuer        string
	clientID      string
	secret        string // --client-secret
	secretFile    string // --client-secret-file
	credentials   string
	subject       string // --subject, with a service account key
	audience      string // --audience, with a service account key
	saEmail       string // --service-account-email: --credentials is a P12 key
	tokenURI      string // --token-uri, with a P12 key
	scopes        scopeList
	store         string
	key           string
	userAgent     string // --user-agent: part of the derived key
	redirectURI   string // --redirect-uri: login's; accepted by all
	netTimeout
	assertionFlags
	certFlags
	// warn receives warnings and log records: the flag set's output, stderr.
	warn io.Writer
	// level is --logging-level, which login defines through
	// tools.RegisterFlags and the other commands here.
	level flag.Value
	// adc lets the command fall back to Application Default Credentials
	// when no flag names credentials (see adc.go).
	adc bool
	// impersonate and iamBaseURL are --impersonate-service-account and
	// --iam-base-url, for the commands that register them (see adc.go).
	impersonate, iamBaseURL string
}

// register adds the flags to fs.
func (f *credFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.clientSecrets, "client-secrets", "", "the client and its endpoints from a client_secrets.json `FILE`")
	fs.StringVar(&f.issuer, "issuer", "", "discover the endpoints of the authorization server at `URL` (OpenID Connect Discovery, RFC 8414)")
	fs.StringVar(&f.clientID, "client-id", "", "the client `ID`; login takes the endpoints from --issuer")
	fs.StringVar(&f.secret, "client-secret", "", "the client `SECRET` of a confidential client (with --client-id); visible to other users in the process list: prefer --client-secret-file or $"+secretEnv)
	fs.StringVar(&f.secretFile, "client-secret-file", "", "read the client secret (with --client-id) from `FILE`, without its trailing newline; default: $"+secretEnv)
	f.warn = fs.Output()
	fs.StringVar(&f.credentials, "credentials", "", "use the credentials in `FILE`: oauth2client credentials JSON, a gcloud authorized_user or impersonated_service_account file, or a service account key file (JSON, or P12 with --service-account-email)")
	fs.StringVar(&f.subject, "subject", "", "with a service account key, act for the user `EMAIL` (domain-wide delegation)")
	fs.StringVar(&f.audience, "audience", "", "with a service account key, use a self-signed JWT for `AUDIENCE` as the access token (no token request); with --grant, the audience to ask the token for")
	fs.StringVar(&f.saEmail, "service-account-email", "", "--credentials is the P12 key file of the service account `EMAIL` (password: $"+p12Env+", default Google's notasecret)")
	fs.StringVar(&f.tokenURI, "token-uri", "", "the token endpoint `URL`: of a P12 key (default Google's), or of --grant (default: the client secrets file's, or discovery's)")
	f.assertionFlags.register(fs)
	f.certFlags.register(fs)
	fs.Var(&f.scopes, "scope", "a `SCOPE` to ask for; repeat it or separate scopes with spaces")
	fs.StringVar(&f.store, "store", "", "the credential store `SPEC`: file:PATH, keyring:SERVICE, sqlite:PATH or postgres://... (default: a file in the user config folder)")
	fs.StringVar(&f.key, "key", "", "the `NAME` of the entry in the store (default: derived from the client id and scopes); a JSON object matches in any key order")
	fs.StringVar(&f.redirectURI, "redirect-uri", "", "the redirect `URI` registered for the client, e.g. http://127.0.0.1/callback: login uses its path, the port is the local server's (default: the first loopback URI of --client-secrets, else path /); other commands accept it so that login's flags can be repeated")
	fs.StringVar(&f.userAgent, "user-agent", "", "the user `AGENT` in the derived key, as Python's multistore_file keys hold it with the client id and scopes")
	f.netTimeout.register(fs)
	if fs.Lookup("logging-level") == nil {
		fs.String("logging-level", "ERROR", "log on stderr at `LEVEL` and above: "+strings.Join(tools.LoggingLevels, ", ")+"; DEBUG shows refreshes, retries and lock waits (never a secret or token)")
	}
	f.level = fs.Lookup("logging-level").Value
}

// logger returns the logger --logging-level asks for, writing to stderr;
// the library, the stores and the transport log through it.
func (f *credFlags) logger() (*slog.Logger, error) {
	level, err := tools.ParseLoggingLevel(f.level.String())
	if err != nil {
		return nil, usagef("--logging-level: %v", err)
	}
	return slog.New(slog.NewTextHandler(f.warn, &slog.HandlerOptions{Level: level})), nil
}

// check checks the combination of flags.
func (f *credFlags) check() error {
	if err := f.netTimeout.check(); err != nil {
		return err
	}
	if _, err := f.logger(); err != nil {
		return err
	}
	if err := f.assertionFlags.check(f); err != nil {
		return err
	}
	if err := f.certFlags.check(f); err != nil {
		return err
	}
	switch {
	case f.clientSecrets != "" && f.clientID != "":
		return usagef("--client-secrets and --client-id exclude each other")
	case f.secret != "" && f.secretFile != "":
		return usagef("--client-secret and --client-secret-file exclude each other")
	case f.secret != "" && f.clientID == "":
		return usagef("--client-secret needs --client-id")
	case f.secretFile != "" && f.clientID == "":
		return usagef("--client-secret-file needs --client-id")
	case f.issuer != "" && f.clientID == "" && f.clientSecrets == "":
		return usagef("--issuer needs --client-id or --client-secrets")
	case f.credentials != "" && (f.clientSecrets != "" || f.clientID != "" || f.issuer != "" || f.store != "" || f.key != ""):
		return usagef("--credentials excludes --client-secrets, --issuer, --client-id, --store and --key")
	case (f.subject != "" || f.audience != "") && f.credentials == "":
		return usagef("--subject and --audience need --credentials with a service account key")
	case f.saEmail != "" && f.credentials == "":
		return usagef("--service-account-email needs --credentials with the account's P12 key file")
	case f.tokenURI != "" && f.saEmail == "":
		return usagef("--token-uri needs --service-account-email and a P12 key")
	case f.subject != "" && f.audience != "":
		return usagef("--subject and --audience exclude each other: delegation needs a token request")
	}
	if f.store != "" {
		if _, err := spec.Parse(f.store); err != nil {
			return usagef("--store: %v", err)
		}
	}
	return nil
}

// client returns the client named by --client-id (with its secret, see
// clientSecret; none with --client-assertion-key) or --client-secrets, or
// nil when neither is given.
func (f *credFlags) client() (*oauth2client.ClientSecrets, error) {
	switch {
	case f.clientID != "" && f.assertKey != "":
		return &oauth2client.ClientSecrets{ClientID: f.clientID}, nil // no secret, not even $OAUTH2CLIENT_CLIENT_SECRET
	case f.clientID != "":
		secret, err := f.clientSecret(f.warn)
		if err != nil {
			return nil, err
		}
		return &oauth2client.ClientSecrets{ClientID: f.clientID, ClientSecret: secret}, nil
	case f.clientSecrets != "":
		cs, err := oauth2client.LoadClientSecrets(f.clientSecrets)
		if err != nil {
			return nil, err
		}
		return cs, nil
	}
	return nil, nil
}

// derivedKey is the store key for a client, user agent and scopes (a
// Python multistore key, scopes sorted): what login stores
// under and the other commands look up.
func derivedKey(clientID, userAgent string, scopes scopeList) string {
	return store.ClassicKey(clientID, userAgent, scopes.sorted())
}

// storeSpec returns the parsed --store spec (the default when empty).
func (f *credFlags) storeSpec() (spec.Spec, error) {
	s, err := spec.Parse(f.store)
	if err != nil {
		return spec.Spec{}, usagef("--store: %v", err)
	}
	return s, nil
}

// target is an opened store and the entry a command works on.
type target struct {
	store store.Store
	spec  spec.Spec
	key   string
	// clientID is the client the flags named, "" if none.
	clientID string
}

// Close closes the store.
func (t *target) Close() error { return t.store.Close() }

// openTarget opens the store and resolves the key: --key; else the key
// derived from the client and scopes; else the one entry of the store.
func (f *credFlags) openTarget(ctx context.Context) (*target, error) {
	sp, err := f.storeSpec()
	if err != nil {
		return nil, err
	}
	cs, err := f.client()
	if err != nil {
		return nil, err
	}
	sctx, cancel := f.storeStep(ctx, sp)
	defer cancel()
	// A command that reads creates nothing, not even the store's folder.
	log, _ := f.logger() // checked by check
	s, err := sp.Open(sctx, &spec.OpenOptions{MustExist: true, Logger: log})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("store %s %w", sp, errEmptyStore)
	}
	if err != nil {
		return nil, f.explainStep(sctx, err)
	}
	t := &target{store: s, spec: sp, key: canonicalKey(f.key)}
	if cs != nil {
		t.clientID = cs.ClientID
	}
	switch {
	case t.key != "":
	case cs != nil:
		t.key = derivedKey(cs.ClientID, f.userAgent, f.scopes)
	default:
		keys, err := s.List(sctx)
		if err != nil {
			s.Close()
			return nil, f.explainStep(sctx, err)
		}
		switch len(keys) {
		case 0:
			s.Close()
			return nil, fmt.Errorf("store %s %w", sp, errEmptyStore)
		case 1:
			t.key = keys[0]
		default:
			s.Close()
			return nil, usagef("store %s holds %d entries: name one with --key, or give the client (--client-secrets or --client-id) and --scope as for login; 'oauth2client list' shows them", sp, len(keys))
		}
	}
	return t, nil
}

// bindOptions are the settings of credentials used by a command: a
// refresh happens in the foreground, since the process exits right after,
// and every request ends after --timeout.
func (f *credFlags) bindOptions() *store.BindOptions {
	log, _ := f.logger() // checked by check
	return &store.BindOptions{HTTPClient: f.httpClient(), Cache: f.cache(), Logger: log}
}

// loaded are credentials a command uses, with where they came from.
type loaded struct {
	creds *oauth2client.Credentials
	// source, when creds is nil, gives the tokens: a service account's.
	source oauth2client.TokenSource
	// scopesAsked are the scopes of source.
	scopesAsked []string
	// target is the store entry the credentials are bound to; nil for
	// credentials held in memory only (an authorized_user file, a service
	// account key).
	target *target
	// from describes the source for people, e.g. "file:creds.json, key K".
	from string
	// serviceAccount: the tokens come from a service account's key, which
	// --subject and --audience apply to.
	serviceAccount bool
}

// Close closes the store, if any.
func (l *loaded) Close() error {
	if l.target != nil {
		return l.target.Close()
	}
	return nil
}

// load checks the flags and returns the credentials they name, bound to
// their store entry.
func (f *credFlags) load(ctx context.Context) (*loaded, error) {
	l, err := f.loadFrom(ctx)
	if err != nil || f.assertKey == "" || l.target != nil {
		return l, err
	}
	l.Close()
	return nil, usagef("--client-assertion-key: %s holds no credentials of a client to authenticate (only stored credentials and oauth2client credentials files do)", l.from)
}

// loadFrom returns the credentials the flags name; load checks that
// --client-assertion-key applies to them.
func (f *credFlags) loadFrom(ctx context.Context) (*loaded, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.credentials != "" {
		l, err := f.loadCredentialsFile(ctx)
		if err == nil && !l.serviceAccount && (f.subject != "" || f.audience != "") {
			l.Close()
			return nil, usagef("--subject and --audience need a service account key, and %s is not one", f.credentials)
		}
		return l, err
	}
	if f.wantsADC() {
		return f.loadADC(ctx)
	}
	t, err := f.openTarget(ctx)
	if err != nil {
		return f.orADC(ctx, err)
	}
	sctx, cancel := f.storeStep(ctx, t.spec)
	defer cancel()
	c, err := store.Bind(sctx, t.store, t.key, f.bindOptions())
	if errors.Is(err, store.ErrNotFound) {
		t.Close()
		return nil, fmt.Errorf("no credentials in store %s under key %s: %w", t.spec, t.key, errLoginFirst)
	}
	if err != nil {
		t.Close()
		return nil, f.explainStep(sctx, err)
	}
	if t.clientID != "" && c.Config().ClientID != t.clientID {
		t.Close()
		return nil, fmt.Errorf("store %s, key %s: the credentials are for client %q, not %q", t.spec, t.key, c.Config().ClientID, t.clientID)
	}
	if c, err = f.withClientAuth(c); err != nil {
		t.Close()
		return nil, err
	}
	return &loaded{creds: f.withVerifier(c), target: t, from: fmt.Sprintf("store %s, key %s", t.spec, t.key)}, nil
}

// loadCredentialsFile reads --credentials: an oauth2client credentials file
// is bound to itself as a one-credential store, so refreshes are written
// back; gcloud's authorized_user and impersonated_service_account files are
// read by package google and refreshed in memory.
func (f *credFlags) loadCredentialsFile(ctx context.Context) (*loaded, error) {
	path := f.credentials
	if f.saEmail != "" {
		return f.p12ServiceAccount(path)
	}
	data, err := safefile.ReadFile(path, oauth2client.MaxCredentialsJSON)
	if err != nil {
		return nil, fmt.Errorf("--credentials: %w", err)
	}
	if len(data) > 0 && data[0] == 0x30 { // a DER SEQUENCE: PKCS#12
		return nil, usagef("--credentials %s looks like a P12 key file: give the service account with --service-account-email", path)
	}
	var probe struct {
		Type  *string `json:"type"`
		Class string  `json:"_class"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("--credentials %s: not a JSON object", path)
	}
	if probe.Type != nil {
		switch *probe.Type {
		case google.TypeServiceAccount:
			return f.serviceAccount(path, data)
		case google.TypeAuthorizedUser, google.TypeImpersonated:
			return f.googleFile(path, data)
		default:
			return nil, fmt.Errorf("--credentials %s: credentials of type %q are not supported", path, urlpolicy.Clip(*probe.Type, 40))
		}
	}
	if probe.Class == "ServiceAccountCredentials" || probe.Class == "_JWTAccessCredentials" {
		return f.pythonServiceAccount(path, data)
	}
	if _, err := oauth2client.ParseCredentialsJSON(data); err != nil {
		return nil, fmt.Errorf("--credentials %s: %w", path, err)
	}
	log, _ := f.logger() // checked by check
	s, err := file.OpenSingle(path, &file.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	sp := spec.Spec{Kind: spec.File, Target: path}
	c, err := store.Bind(ctx, s, file.SingleKey, f.bindOptions())
	if err == nil {
		c, err = f.withClientAuth(c)
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	t := &target{store: s, spec: sp, key: file.SingleKey}
	return &loaded{creds: f.withVerifier(c), target: t, from: "file " + path}, nil
}

// parseInterspersed parses args with fs, allowing flags after positional
// arguments (as in "request GET URL -H 'K: V'"); "--" ends the flags.
// It returns the positional arguments.
func (e *env) parseInterspersed(c *command, fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	for {
		if code, ok := e.parse(c, fs, args); !ok {
			return nil, code, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		// flag stops at the first non-flag, or after "--".
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
