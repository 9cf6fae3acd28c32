package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/oauth2client/oauth2client/internal/safefile"
)

// secretEnv is the environment variable holding a client secret, used
// with --client-id when neither --client-secret nor --client-secret-file
// is given.
const secretEnv = "OAUTH2CLIENT_CLIENT_SECRET"

// maxSecretFile bounds the size of --client-secret-file.
const maxSecretFile = 64 << 10

// clientSecret returns the client secret for --client-id: --client-secret,
// else the contents of --client-secret-file without a trailing newline,
// else $OAUTH2CLIENT_CLIENT_SECRET, else "" (a public client). A secret
// file that other users may read is used, with a warning on warn (secret
// volumes are often mounted 0644). check has refused both flags together.
func (f *credFlags) clientSecret(warn io.Writer) (string, error) {
	switch {
	case f.secret != "":
		return f.secret, nil
	case f.secretFile != "":
		return readSecretFile(f.secretFile, warn)
	}
	return os.Getenv(secretEnv), nil
}

// readSecretFile reads a client secret from path, trimming one trailing
// newline (\n or \r\n). The error names the file, never its contents.
func readSecretFile(path string, warn io.Writer) (string, error) {
	data, err := safefile.ReadFile(path, maxSecretFile)
	if err != nil {
		return "", fmt.Errorf("--client-secret-file: %w", err)
	}
	s := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
	if s == "" {
		return "", fmt.Errorf("--client-secret-file %s is empty", path)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 && runtime.GOOS != "windows" {
		fmt.Fprintf(warn, "oauth2client: warning: --client-secret-file %s has mode %v: other users may read the secret; chmod 600 it\n", path, fi.Mode().Perm())
	}
	return s, nil
}
