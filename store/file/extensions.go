package file

import (
	"errors"
	"fmt"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/dpop"
)

// ErrPythonDropsExtensions is wrapped by the error for credentials with
// extension fields ([oauth2client.CredentialsState].Extensions) stored in
// one of Python oauth2client's formats ([FormatSingle],
// [FormatMultiprocess], [FormatMultistore]): Python would drop them when it
// rewrites the file, so they are refused. [FormatGo] keeps them.
var ErrPythonDropsExtensions = errors.New("extension fields that Python oauth2client would drop")

// checkExtensions refuses st for the entry key of d when d's format is one
// of Python's and st has extension fields.
func (s *Store) checkExtensions(d *doc, key string, st *oauth2client.CredentialsState) error {
	if d.format == FormatGo || len(st.Extensions) == 0 {
		return nil
	}
	why := ""
	if _, ok := st.Extensions[dpop.Extension]; ok {
		why = ": without the DPoP key, their DPoP-bound tokens could never be used or refreshed again"
	}
	return fmt.Errorf("store/file: %s: refusing to store credentials %q in %v format: they carry %w when it rewrites the file (%s)%s; keep them in this package's format (FormatGo) or another store",
		s.path, key, d.format, ErrPythonDropsExtensions, strings.Join(st.ExtensionNames(), ", "), why)
}
