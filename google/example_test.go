package google_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/google"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// The metadata server, here oauth2test's emulation; on GCE, leave Host
// empty (or set GCE_METADATA_HOST).
func ExampleMetadataClient() {
	srv := oauth2test.NewServer(&oauth2test.Options{Metadata: true})
	defer srv.Close()

	m := google.NewMetadataClient(&google.MetadataOptions{Host: strings.TrimPrefix(srv.URL, "http://")})
	ctx := context.Background()
	email, err := m.Email(ctx)
	if err != nil {
		log.Fatal(err)
	}
	project, err := m.ProjectID(ctx)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := m.Token(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(email)
	fmt.Println(project)
	fmt.Println(tok.Type(), tok.AccessToken != "")
	// Output:
	// default-sa@oauth2test-project.iam.gserviceaccount.com
	// oauth2test-project
	// Bearer true
}

// An authorized_user file, as "gcloud auth application-default login"
// writes it, here with oauth2test's token endpoint.
func ExampleCredentialsFromJSON() {
	srv := oauth2test.NewServer(&oauth2test.Options{
		Clients: []oauth2test.Client{{ID: "my-client", Secret: "my-secret"}},
	})
	defer srv.Close()
	_, refresh := srv.MintToken("my-client", "alice", []string{"openid"}, 0)
	file := fmt.Sprintf(`{"type": "authorized_user", "client_id": "my-client", "client_secret": "my-secret",
		"refresh_token": %q, "token_uri": %q, "quota_project_id": "my-project"}`, refresh, srv.URL+oauth2test.PathToken)

	creds, err := google.CredentialsFromJSON([]byte(file), "adc.json", nil)
	if err != nil {
		log.Fatal(err)
	}
	tok, err := creds.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(creds.Type, creds.QuotaProject, tok.AccessToken != "")
	// Output: authorized_user my-project true
}

// ID tokens for a service (Cloud Run, IAP, your own) from a service
// account's key file; metadata-server and impersonated credentials give
// them the same way. The source caches them and can back an HTTP client.
func ExampleCredentials_IDTokenSource() {
	srv := oauth2test.NewServer(nil)
	defer srv.Close()
	keyFile, err := srv.RegisterServiceAccount("robot@example.iam.gserviceaccount.com")
	if err != nil {
		log.Fatal(err)
	}
	creds, err := google.CredentialsFromJSON(keyFile, "sa.json", &google.Options{HTTPClient: srv.Client()})
	if err != nil {
		log.Fatal(err)
	}
	src, err := creds.IDTokenSource("https://hello-abc123-uc.a.run.app")
	if err != nil {
		log.Fatal(err)
	}
	_ = oauth2client.NewClient(src, nil) // sends "Authorization: Bearer <ID token>"
	tok, err := src.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.Type(), tok.AccessToken == tok.IDToken, strings.Count(tok.IDToken, "."))
	// Output: Bearer true 2
}
