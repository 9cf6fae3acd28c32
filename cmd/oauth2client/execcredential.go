package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/oauth2client/oauth2client"
)

// Kubernetes' client authentication API (k8s.io/client-go exec plugins).
const (
	// execInfoEnv holds the ExecCredential kubectl passes to its plugin.
	execInfoEnv = "KUBERNETES_EXEC_INFO"
	execV1      = "client.authentication.k8s.io/v1"
	execV1beta1 = "client.authentication.k8s.io/v1beta1"
)

// execCredentialHelp is the part of token's --help about kubectl.
const execCredentialHelp = `
--format exec-credential prints a Kubernetes ExecCredential
(client.authentication.k8s.io/v1, or v1beta1 when kubectl asks for it),
with the token and its expiry, for use as a kubectl exec credential
plugin (users[].user.exec in a kubeconfig). When no valid credentials are
stored, it logs in first, as login does (in the browser, or with
--device the device flow; messages on stderr), unless kubectl says that
the plugin may not interact ($KUBERNETES_EXEC_INFO spec.interactive false):
then it fails, saying to run 'oauth2client login'. Only stored user
credentials are logged in again: a refused service account key or
--credentials file is reported as it is. Credentials bound to a DPoP key
or a TLS client certificate are refused: kubectl sends tokens as plain
bearer tokens and cannot present the proof.
`

// execInfo is the part of $KUBERNETES_EXEC_INFO the plugin reads.
type execInfo struct {
	APIVersion string `json:"apiVersion"`
	Spec       struct {
		Interactive bool `json:"interactive"`
	} `json:"spec"`
}

// readExecInfo parses the ExecCredential kubectl passes in raw (the value
// of $KUBERNETES_EXEC_INFO). Without one (the command run by hand) the
// answer is v1 and interaction is allowed.
func readExecInfo(raw string) (execInfo, error) {
	var info execInfo
	if raw == "" {
		info.APIVersion = execV1
		info.Spec.Interactive = true
		return info, nil
	}
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		return execInfo{}, fmt.Errorf("$%s: not an ExecCredential: %w", execInfoEnv, err)
	}
	switch info.APIVersion {
	case execV1, execV1beta1:
	case "":
		info.APIVersion = execV1
	default:
		return execInfo{}, fmt.Errorf("$%s: apiVersion %q is not supported; want %s or %s", execInfoEnv, info.APIVersion, execV1, execV1beta1)
	}
	return info, nil
}

// execCredential is the ExecCredential a plugin prints.
type execCredential struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Status     execStatus `json:"status"`
}

// execStatus is an ExecCredential's status: the bearer token and when it
// expires (RFC 3339; absent when unknown, and client-go then uses the
// token until a request is refused).
type execStatus struct {
	ExpirationTimestamp string `json:"expirationTimestamp,omitempty"`
	Token               string `json:"token"`
}

// marshalExecCredential returns the ExecCredential of tok for apiVersion.
func marshalExecCredential(apiVersion string, tok *oauth2client.Token) ([]byte, error) {
	out := execCredential{APIVersion: apiVersion, Kind: "ExecCredential", Status: execStatus{Token: tok.AccessToken}}
	if !tok.Expiry.IsZero() {
		out.Status.ExpirationTimestamp = tok.Expiry.UTC().Format(time.RFC3339)
	}
	return json.MarshalIndent(out, "", "  ")
}

// printExecCredential prints tok as an ExecCredential of the version
// kubectl asked for.
func (e *env) printExecCredential(c *command, tok *oauth2client.Token) int {
	info, err := readExecInfo(os.Getenv(execInfoEnv))
	if err != nil {
		return e.fail(c, err)
	}
	b, err := marshalExecCredential(info.APIVersion, tok)
	if err != nil {
		return e.fail(c, err)
	}
	fmt.Fprintf(e.stdout, "%s\n", b)
	return exitOK
}

// runExecCredential is token --format exec-credential: a kubectl exec
// plugin, which logs in when needed and kubectl allows it. fs holds the
// parsed flags of args.
func (e *env) runExecCredential(ctx context.Context, c *command, cf *credFlags, fs *flag.FlagSet, args []string) int {
	info, err := readExecInfo(os.Getenv(execInfoEnv))
	if err != nil {
		return e.fail(c, err)
	}
	tok, _, err := e.tokenOrLogin(ctx, cf, onDemandLogin{c: c, fs: fs, args: args, client: "kubectl",
		interactive:    info.Spec.Interactive,
		notInteractive: "kubectl gives the plugin no terminal, $" + execInfoEnv + " spec.interactive is false"})
	if err != nil {
		return e.fail(c, err)
	}
	return e.printExecCredential(c, tok)
}
