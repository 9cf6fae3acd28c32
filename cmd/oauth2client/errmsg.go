package main

import (
	"errors"
	"strings"

	"github.com/oauth2client/oauth2client"
)

// prefixes are the package prefixes of library errors that the command's
// own "oauth2client COMMAND: " prefix makes redundant, at the start of a
// message or after the context a caller wrapped around it.
var prefixes = []string{"oauth2client: ", "tools: "}

// errorText is err's message for people: without the package prefixes
// that would repeat "oauth2client COMMAND: ", and with the way out when
// the stored credentials are invalid.
func errorText(err error) string {
	s := err.Error()
	for trimmed := true; trimmed; {
		trimmed = false
		for _, p := range prefixes {
			if t, ok := strings.CutPrefix(s, p); ok {
				s, trimmed = t, true
			}
			if strings.Contains(s, ": "+p) {
				s, trimmed = strings.ReplaceAll(s, ": "+p, ": "), true
			}
		}
	}
	if errors.Is(err, oauth2client.ErrInvalidCredentials) {
		s += "\nThe stored credentials were rejected by the server: run 'oauth2client login' again."
	}
	return s
}
