package google

import (
	"github.com/oauth2client/oauth2client/serviceaccount"
)

// supportedTypes are the file types CredentialsFromJSON reads.
var supportedTypes = []string{TypeAuthorizedUser, TypeServiceAccount, TypeImpersonated}

// serviceAccount builds credentials of a JSON service-account key (package
// serviceaccount): tokens from the JWT-bearer grant at the key's token_uri,
// with the Options' scopes (cloud-platform when none), and the key's
// project id.
func serviceAccount(data []byte, r *fileReader, o Options) (*Credentials, error) {
	k, err := serviceaccount.ParseJSONKey(data)
	if err != nil {
		return nil, &FileError{Path: r.path, Type: r.typ, Err: err}
	}
	scopes := o.Scopes
	if len(scopes) == 0 {
		scopes = []string{CloudPlatformScope}
	}
	src, err := serviceaccount.NewTokenSource(k, &serviceaccount.Config{
		Scopes:     scopes,
		HTTPClient: o.HTTPClient,
		Logger:     o.Logger,
		Cache:      o.Cache,
	})
	if err != nil {
		return nil, &FileError{Path: r.path, Type: r.typ, Err: err}
	}
	quota := r.str("quota_project_id", false)
	if r.err != nil {
		return nil, r.err
	}
	return &Credentials{TokenSource: src, QuotaProject: quota, projectID: k.ProjectID(), key: k}, nil
}

// ServiceAccount returns the key of a service_account file (email, key id,
// SignBlob); nil for other types.
func (c *Credentials) ServiceAccount() *serviceaccount.Key { return c.key }
