package serviceaccount

import (
	"errors"
	"fmt"
	"strconv"

	"software.sslmate.com/src/go-pkcs12"
)

// DefaultP12Password is the password Google sets on the P12 files it
// issues for service accounts.
const DefaultP12Password = "notasecret"

// P12Options say what a P12 file does not: the account's email (required)
// and, optionally, the password, key id and token endpoint.
type P12Options struct {
	// Email is the service account's email address. Required.
	Email string
	// Password decrypts the file; "" means [DefaultP12Password].
	Password string
	// KeyID, when set, is sent as the JWT header's "kid".
	KeyID string
	// TokenURI is the token endpoint; "" means [GoogleTokenURI].
	TokenURI string
	// ProjectID, when set, is returned by [Key.ProjectID].
	ProjectID string
}

// ParseP12 reads a service account's PKCS#12 (P12) key file, the format
// Google issued before JSON keys. A wrong password is an error wrapping
// [ErrWrongPassword].
func ParseP12(data []byte, opts *P12Options) (*Key, error) {
	return parseP12(data, opts, "P12 data")
}

// ReadP12File reads the P12 file at path; see [ParseP12]. Errors name
// the file.
func ReadP12File(path string, opts *P12Options) (*Key, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	return parseP12(data, opts, "P12 file "+strconv.Quote(path))
}

func parseP12(data []byte, opts *P12Options, where string) (*Key, error) {
	var o P12Options
	if opts != nil {
		o = *opts
	}
	if o.Email == "" {
		return nil, fmt.Errorf("%w: %s: P12Options.Email", ErrMissingField, where)
	}
	if len(data) > MaxKeyFile {
		return nil, fmt.Errorf("serviceaccount: %s exceeds %d bytes", where, MaxKeyFile)
	}
	password := o.Password
	if password == "" {
		password = DefaultP12Password
	}
	// DecodeChain takes one key and its certificate, as Google's files
	// have, and tolerates extra certificates.
	priv, _, _, err := pkcs12.DecodeChain(data, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fmt.Errorf("%w: %s", ErrWrongPassword, where)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not a PKCS#12 file with one key: %w", ErrInvalidKey, where, err)
	}
	rk, err := checkRSA(priv)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	k := &Key{
		email: o.Email, keyID: o.KeyID, tokenURI: o.TokenURI, projectID: o.ProjectID,
		priv: rk, p12: append([]byte(nil), data...), p12Password: password,
	}
	k.defaults()
	return k, nil
}
