package main

import (
	"testing"

	"github.com/oauth2client/oauth2client/store/spec"
)

// login stores credentials as 'oauth2client login' with flags would.
// TODO: replace with the login command once tools.RunFlow is on main.
func login(t *testing.T, tc *testClient, flags []string) {
	t.Helper()
	creds := tc.authorize(t, "openid")
	var storeSpec string
	for i, f := range flags {
		if f == "--store" {
			storeSpec = flags[i+1]
		}
	}
	s, err := spec.Open(t.Context(), storeSpec)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(t.Context(), derivedKey(tc.id, scopeList{"openid"}), creds); err != nil {
		t.Fatal(err)
	}
}
