package safefile

import "errors"

// ErrUnsafeFolder is wrapped by the error for a folder other users could
// change, where this package was asked to create or replace a file (see
// the package doc, "Folders").
var ErrUnsafeFolder = errors.New("other users could replace files in this folder")
