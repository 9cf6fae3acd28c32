package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/clientauth"
	"github.com/oauth2client/oauth2client/store/file"
)

// assertionKeyExt names the extension field of stored credentials that
// refers to the private_key_jwt key login used: its file and kid, never
// the key itself.
const assertionKeyExt = "client_assertion_key"

// assertionKeyHelp is the part of the credential commands' help about
// --client-assertion-key.
const assertionKeyHelp = `
--client-assertion-key FILE authenticates the client with private_key_jwt
(RFC 7523) instead of a secret: a PEM or JWK private key (RSA, P-256 or
Ed25519), its kid the JWK's or --client-assertion-kid. Login stores the
key file's absolute path and the kid (never the key) with the
credentials, under the extension field "` + assertionKeyExt + `", so that
their refreshes, introspection and revocation sign with it again; the
flag given to another command wins over the stored reference. The Python
file formats cannot keep extension fields: store such credentials in a
store of the Go format.`

// assertionKeyRef is the stored reference to a client assertion key.
type assertionKeyRef struct {
	Path string `json:"path"`
	KID  string `json:"kid,omitempty"`
}

// assertionFlags are --client-assertion-key and --client-assertion-kid.
type assertionFlags struct {
	assertKey string // --client-assertion-key
	assertKID string // --client-assertion-kid
}

// register adds the flags to fs.
func (a *assertionFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.assertKey, "client-assertion-key", "", "authenticate the client with private_key_jwt signed by the private key in `FILE` (PEM or JWK); login stores a reference to the file (not the key) with the credentials")
	fs.StringVar(&a.assertKID, "client-assertion-kid", "", "the `KID` naming --client-assertion-key (default: the JWK's kid)")
}

// check checks the flags against the client secret flags of f.
func (a *assertionFlags) check(f *credFlags) error {
	switch {
	case a.assertKID != "" && a.assertKey == "":
		return usagef("--client-assertion-kid needs --client-assertion-key")
	case a.assertKey != "" && (f.secret != "" || f.secretFile != ""):
		return usagef("--client-assertion-key excludes --client-secret and --client-secret-file")
	case a.assertKey != "" && (f.saEmail != "" || f.subject != "" || f.audience != ""):
		return usagef("--client-assertion-key excludes --service-account-email, --subject and --audience: a service account signs its own assertions")
	}
	return nil
}

// ref returns the reference login stores for the flags: the absolute
// path of the key file and the kid given, or nil without the flag.
func (a *assertionFlags) ref() (*assertionKeyRef, error) {
	if a.assertKey == "" {
		return nil, nil
	}
	abs, err := filepath.Abs(a.assertKey)
	if err != nil {
		return nil, fmt.Errorf("--client-assertion-key: %w", err)
	}
	return &assertionKeyRef{Path: abs, KID: a.assertKID}, nil
}

// clientAuth returns the private_key_jwt authentication of the flags, or
// nil without them.
func (a *assertionFlags) clientAuth() (oauth2client.ClientAuth, error) {
	if a.assertKey == "" {
		return nil, nil
	}
	auth, err := (&assertionKeyRef{Path: a.assertKey, KID: a.assertKID}).clientAuth()
	if err != nil {
		return nil, fmt.Errorf("--client-assertion-key: %w", err)
	}
	return auth, nil
}

// clientAuth reads the key r refers to and returns its private_key_jwt
// authentication.
func (r *assertionKeyRef) clientAuth() (*clientauth.PrivateKeyJWT, error) {
	key, kid, err := clientauth.ReadKeyFile(r.Path)
	if err != nil {
		return nil, err
	}
	if r.KID != "" {
		kid = r.KID
	}
	return clientauth.NewPrivateKeyJWT(key, kid, nil)
}

// withExtension returns st with the reference r (nil: none) as its
// extension field.
func (r *assertionKeyRef) withExtension(st *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
	if r == nil {
		return st, nil
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	st = st.Clone()
	if st.Extensions == nil {
		st.Extensions = map[string]json.RawMessage{}
	}
	st.Extensions[assertionKeyExt] = raw
	return st, nil
}

// storedAssertionKey returns the reference in stored credentials c, or
// nil when they have none.
func storedAssertionKey(c *oauth2client.Credentials) (*assertionKeyRef, error) {
	raw, ok := c.State().Extensions[assertionKeyExt]
	if !ok {
		return nil, nil
	}
	var r assertionKeyRef
	if err := json.Unmarshal(raw, &r); err != nil || r.Path == "" {
		return nil, fmt.Errorf("the stored extension field %q is not a key file reference", assertionKeyExt)
	}
	return &r, nil
}

// withClientAuth returns stored credentials c authenticating the client
// with --client-assertion-key when given, else with the key their stored
// reference names, else c as they are.
func (f *credFlags) withClientAuth(c *oauth2client.Credentials) (*oauth2client.Credentials, error) {
	auth, err := f.clientAuth()
	if err == nil && auth == nil {
		auth, err = f.certAuth(c.State())
	}
	if err != nil {
		return nil, err
	}
	if auth == nil {
		r, err := storedAssertionKey(c)
		if err != nil || r == nil {
			return c, err
		}
		a, err := r.clientAuth()
		if err != nil {
			return nil, fmt.Errorf("the client assertion key stored with the credentials (%s): %w; give --client-assertion-key", r.Path, err)
		}
		auth = a
	}
	cfg := c.Config()
	cfg.ClientAuth = auth
	return c.WithConfig(cfg), nil
}

// checkKeepsExtensions fails, before a login, when its store is a file of
// a Python format, which could not keep what the login must keep with the
// credentials: uses says what, as "FLAG needs a store that keeps THING"
// (a DPoP key, a reference to a client assertion key or to a TLS client
// certificate); none: nothing is needed.
func checkKeepsExtensions(ctx context.Context, t *target, uses ...string) error {
	fs, ok := t.store.(*file.Store)
	if len(uses) == 0 || !ok {
		return nil
	}
	format, err := fs.Format(ctx)
	if err != nil || format == file.FormatGo {
		return err
	}
	return fmt.Errorf("store %s (%s) cannot keep %w: %s with the credentials (a file in the Go format, keyring, sqlite or postgres)", t.spec, format, file.ErrPythonDropsExtensions, strings.Join(uses, "; "))
}

// explainExtensions adds to err, from saving credentials with a key
// reference, what to do when the store's format cannot keep it.
func explainExtensions(err error) error {
	if errors.Is(err, file.ErrPythonDropsExtensions) {
		return fmt.Errorf("%w; --client-assertion-key, --client-cert and --dpop need a store that keeps extension fields (a file in the Go format, keyring, sqlite or postgres)", err)
	}
	return err
}
