package google

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client/serviceaccount"
)

// serviceAccountJSON returns a service-account key file for tokenURI.
func serviceAccountJSON(t *testing.T, tokenURI string, drop string) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(testKey())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]any{
		"type":           "service_account",
		"project_id":     "sa-project",
		"private_key_id": "kid-1",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "robot@sa-project.iam.gserviceaccount.com",
		"client_id":      "123",
		"token_uri":      tokenURI,
	}
	delete(m, drop)
	b, _ := json.Marshal(m)
	return b
}

func TestServiceAccountFile(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != serviceaccount.GrantType || r.PostForm.Get("assertion") == "" {
			t.Errorf("token request %v", r.PostForm)
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"sa-token","token_type":"Bearer","expires_in":3600}`)
	}))
	defer srv.Close()
	c, err := CredentialsFromJSON(serviceAccountJSON(t, srv.URL+"/token", ""), "sa.json", &Options{Scopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 3 {
		if tok, err := c.Token(ctx); err != nil || tok.AccessToken != "sa-token" {
			t.Fatalf("Token = %+v, %v", tok, err)
		}
	}
	if n.Load() != 1 {
		t.Errorf("token requests = %d, want 1", n.Load())
	}
	if p, err := c.ProjectID(ctx); p != "sa-project" || err != nil {
		t.Errorf("ProjectID = %q, %v", p, err)
	}
	if c.Type != TypeServiceAccount || c.ServiceAccount().Email() != "robot@sa-project.iam.gserviceaccount.com" {
		t.Errorf("credentials = %+v", c)
	}
}

func TestServiceAccountFileBad(t *testing.T) {
	t.Parallel()
	for _, drop := range []string{"private_key", "client_email"} {
		_, err := CredentialsFromJSON(serviceAccountJSON(t, "https://oauth2.googleapis.com/token", drop), "sa.json", nil)
		var fe *FileError
		if !errors.As(err, &fe) || fe.Type != TypeServiceAccount || !errors.Is(err, serviceaccount.ErrMissingField) {
			t.Errorf("without %s: err = %v, want a *FileError wrapping serviceaccount.ErrMissingField", drop, err)
		}
		if err != nil && (strings.Contains(err.Error(), "PRIVATE KEY") || !strings.Contains(err.Error(), "sa.json")) {
			t.Errorf("err %q", err)
		}
	}
}
