package google

import (
	"errors"
	"strings"
	"testing"
)

// Nested impersonation is refused at the first level, before the nested
// source is read: a file of thousands of nested sources costs one parse.
func TestNestedImpersonationRefusedAtOnce(t *testing.T) {
	t.Parallel()
	const url = "https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/sa@p.iam.gserviceaccount.com:generateAccessToken"
	inner := `{"type":"authorized_user","client_id":"c","client_secret":"s","refresh_token":"r"}`
	for range 2000 {
		inner = `{"type":"impersonated_service_account","service_account_impersonation_url":"` + url + `","source_credentials":` + inner + `}`
	}
	_, err := CredentialsFromJSON([]byte(inner), "deep.json", nil)
	var fe *FileError
	if !errors.As(err, &fe) || !errors.Is(err, ErrUnknownType) || fe.Field != "source_credentials" || strings.Count(err.Error(), "source_credentials") > 2 {
		t.Errorf("err = %v; want a FileError at the first level naming source_credentials", err)
	}
}
