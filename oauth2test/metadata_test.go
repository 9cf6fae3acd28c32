package oauth2test_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	. "github.com/oauth2client/oauth2client/oauth2test"
)

func TestMetadataEmulation(t *testing.T) {
	t.Parallel()
	on := newServer(t, Options{Metadata: true})
	off := newServer(t, Options{})
	tests := []struct {
		name       string
		srv        *Server
		path       string
		flavor     bool
		wantStatus int
		wantFlavor bool
		wantBody   string
	}{
		{name: "root", srv: on, path: "/", flavor: true, wantStatus: 200, wantFlavor: true},
		{name: "project id", srv: on, path: PathMetadataProjectID, flavor: true, wantStatus: 200, wantFlavor: true, wantBody: MetadataProjectID},
		{name: "email", srv: on, path: PathMetadataServiceAccounts + "default/email", flavor: true, wantStatus: 200, wantFlavor: true, wantBody: MetadataServiceAccount},
		{name: "scopes", srv: on, path: PathMetadataServiceAccounts + MetadataServiceAccount + "/scopes", flavor: true, wantStatus: 200, wantFlavor: true, wantBody: MetadataDefaultScope},
		{name: "token", srv: on, path: PathMetadataServiceAccounts + "default/token?scopes=a,b", flavor: true, wantStatus: 200, wantFlavor: true, wantBody: `"access_token":"at-`},
		{name: "identity without audience", srv: on, path: PathMetadataServiceAccounts + "default/identity", flavor: true, wantStatus: 400, wantFlavor: true},
		{name: "unknown account", srv: on, path: PathMetadataServiceAccounts + "x@y/email", flavor: true, wantStatus: 404, wantFlavor: true},
		{name: "request without Metadata-Flavor", srv: on, path: PathMetadataProjectID, wantStatus: 403, wantFlavor: true},
		{name: "metadata off", srv: off, path: PathMetadataProjectID, flavor: true, wantStatus: 404},
	}
	// Runs after the parallel subtests, before the servers close.
	t.Cleanup(func() {
		if n := on.Requests(PathMetadataToken); n != 1 {
			t.Errorf("Requests(PathMetadataToken) = %d, want 1", n)
		}
	})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest(http.MethodGet, tt.srv.URL+tt.path, nil)
			if tt.flavor {
				req.Header.Set("Metadata-Flavor", "Google")
			}
			resp, err := tt.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || (resp.Header.Get("Metadata-Flavor") == "Google") != tt.wantFlavor ||
				!strings.Contains(string(body), tt.wantBody) {
				t.Errorf("got %d, flavor %q, body %s", resp.StatusCode, resp.Header.Get("Metadata-Flavor"), body)
			}
		})
	}
}

func TestIAMEmulation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, Options{})
	at, _ := srv.MintToken("c", "alice", nil, 0)
	const sa = "sa@p.iam.gserviceaccount.com"
	const signer = "signer@p.iam.gserviceaccount.com"
	if _, err := srv.RegisterServiceAccount(signer); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, method, token, body string
		account                   string // "" means sa
		wantStatus                int
		wantBody                  string
	}{
		{name: "sign blob", method: "signBlob", account: signer, token: at, body: `{"payload":"aGVsbG8="}`, wantStatus: 200, wantBody: `"signedBlob":"`},
		{name: "sign blob without key", method: "signBlob", token: at, body: `{"payload":"aGVsbG8="}`, wantStatus: 404, wantBody: "NOT_FOUND"},
		{name: "sign blob without payload", method: "signBlob", account: signer, token: at, body: `{}`, wantStatus: 400, wantBody: "payload"},
		{name: "sign blob bad base64", method: "signBlob", account: signer, token: at, body: `{"payload":"!!"}`, wantStatus: 400, wantBody: "invalid JSON"},
		{name: "sign blob unauthenticated", method: "signBlob", account: signer, token: "nope", body: `{"payload":"aGVsbG8="}`, wantStatus: 401, wantBody: "UNAUTHENTICATED"},
		{name: "access token", method: "generateAccessToken", token: at, body: `{"scope":["s"],"lifetime":"300s"}`, wantStatus: 200, wantBody: `"accessToken":"at-`},
		{name: "no scope", method: "generateAccessToken", token: at, body: `{}`, wantStatus: 400, wantBody: "INVALID_ARGUMENT"},
		{name: "bad lifetime", method: "generateAccessToken", token: at, body: `{"scope":["s"],"lifetime":"2h"}`, wantStatus: 400, wantBody: "lifetime"},
		{name: "bad delegate", method: "generateAccessToken", token: at, body: `{"scope":["s"],"delegates":["x"]}`, wantStatus: 400, wantBody: "delegates"},
		{name: "unauthenticated", method: "generateAccessToken", token: "nope", body: `{"scope":["s"]}`, wantStatus: 401, wantBody: "UNAUTHENTICATED"},
		{name: "id token", method: "generateIdToken", token: at, body: `{"audience":"a","includeEmail":true}`, wantStatus: 200, wantBody: `"token":"ey`},
		{name: "id token without audience", method: "generateIdToken", token: at, body: `{}`, wantStatus: 400, wantBody: "audience"},
		{name: "unknown method", method: "signJwt", token: at, body: `{}`, wantStatus: 404, wantBody: "NOT_FOUND"},
		{name: "not JSON", method: "generateIdToken", token: at, body: `{`, wantStatus: 400, wantBody: "invalid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			account := sa
			if tt.account != "" {
				account = tt.account
			}
			req, _ := http.NewRequest(http.MethodPost, srv.URL+PathIAMServiceAccounts+account+":"+tt.method, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+tt.token)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Errorf("got %d %s", resp.StatusCode, body)
			}
			if resp.StatusCode == 200 && !json.Valid(body) {
				t.Errorf("body not JSON: %s", body)
			}
		})
	}
}
