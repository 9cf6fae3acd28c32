package google

import "fmt"

// supportedTypes are the file types CredentialsFromJSON reads.
var supportedTypes = []string{TypeAuthorizedUser, TypeImpersonated}

// serviceAccount reports that this build reads no service-account keys:
// they need package serviceaccount.
func serviceAccount(_ []byte, r *fileReader, _ Options) (*Credentials, error) {
	return nil, &FileError{Path: r.path, Type: r.typ,
		Err: fmt.Errorf("%w: service-account keys need package serviceaccount", ErrUnknownType)}
}
