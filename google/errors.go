package google

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinels for errors.Is; the typed errors below wrap them.
var (
	// ErrMissingMetadataFlavor reports an answer from the metadata host
	// without "Metadata-Flavor: Google": whatever answered is not a GCE
	// metadata server (a proxy, a captive portal, another service).
	ErrMissingMetadataFlavor = errors.New("the answer lacks the header Metadata-Flavor: Google")
	// ErrUnknownType reports a credentials file whose "type" this package
	// does not support.
	ErrUnknownType = errors.New("unsupported credentials type")
	// ErrMissingField reports a credentials file without a required field.
	ErrMissingField = errors.New("missing required field")
	// ErrMalformedFile reports a credentials file that is not a JSON object
	// of the expected shape, or too large.
	ErrMalformedFile = errors.New("malformed credentials file")
	// ErrNoCredentials reports that Application Default Credentials found
	// nothing; the error is a [*NotFoundError] saying what was tried.
	ErrNoCredentials = errors.New("could not find default credentials")
	// ErrNoIDTokens reports credentials that cannot obtain ID tokens for
	// an arbitrary audience ([Credentials.IDTokenSource]): those of an
	// authorized_user file, whose ID tokens name the OAuth client.
	ErrNoIDTokens = errors.New("these credentials cannot obtain ID tokens for an audience")
)

// MetadataError reports a failed request to the metadata server.
type MetadataError struct {
	// Path is the metadata path asked, without its query.
	Path string
	// StatusCode is the HTTP status, 0 when no answer came.
	StatusCode int
	// Err is the cause: ErrMissingMetadataFlavor, a transport error, or a
	// description of a bad answer.
	Err error
}

// Error names the path, the status and the cause.
func (e *MetadataError) Error() string {
	var b strings.Builder
	b.WriteString("google: metadata server ")
	b.WriteString(e.Path)
	writeStatus(&b, e.StatusCode, "", "", e.Err)
	return b.String()
}

// Unwrap returns the cause.
func (e *MetadataError) Unwrap() error { return e.Err }

// FileError reports a credentials file that cannot be used.
type FileError struct {
	// Path is the file.
	Path string
	// Type is the file's "type" field, when it was read.
	Type string
	// Field names the field at fault, if any.
	Field string
	// Err is the cause, often ErrUnknownType, ErrMissingField or
	// ErrMalformedFile.
	Err error
}

// Error names the file, its type, the field and the cause; never a value.
func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString("google: credentials file ")
	b.WriteString(e.Path)
	if e.Type != "" {
		fmt.Fprintf(&b, " (type %q)", e.Type)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": field %q", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the cause.
func (e *FileError) Unwrap() error { return e.Err }

// NotFoundError reports that Application Default Credentials found
// nothing. It matches ErrNoCredentials.
type NotFoundError struct {
	// Tried says, in order, what was looked at and why it gave nothing.
	Tried []string
}

// Error lists what was tried.
func (e *NotFoundError) Error() string {
	return "google: could not find default credentials; tried, in order: " + strings.Join(e.Tried, "; ")
}

// Is reports whether target is ErrNoCredentials.
func (e *NotFoundError) Is(target error) bool { return target == ErrNoCredentials }

// IAMError reports a failed call to the IAM Credentials API.
type IAMError struct {
	// Method is the API method, e.g. "generateAccessToken".
	Method string
	// StatusCode is the HTTP status, 0 when no answer came.
	StatusCode int
	// Status is the API's status name, e.g. "PERMISSION_DENIED".
	Status string
	// Message is the API's message, clipped.
	Message string
	// Err is the cause when no usable answer came.
	Err error
}

// Error names the method, the status and the message.
func (e *IAMError) Error() string {
	var b strings.Builder
	b.WriteString("google: iamcredentials ")
	b.WriteString(e.Method)
	writeStatus(&b, e.StatusCode, e.Status, e.Message, e.Err)
	return b.String()
}

// writeStatus appends ": status N STATUS: message: cause", leaving out
// what is empty.
func writeStatus(b *strings.Builder, code int, status, msg string, err error) {
	if code != 0 {
		fmt.Fprintf(b, ": status %d", code)
	}
	if status != "" {
		b.WriteString(" ")
		b.WriteString(status)
	}
	for _, s := range []string{msg, errText(err)} {
		if s != "" {
			b.WriteString(": ")
			b.WriteString(s)
		}
	}
}

// errText is err's message, "" for nil.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// Unwrap returns the cause.
func (e *IAMError) Unwrap() error { return e.Err }
