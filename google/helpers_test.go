package google

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client/oauth2test"
)

// testKey is one RSA key shared by the test servers, to save the time of
// generating one per server.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// Client of the authorized_user files of the tests.
const (
	testClientID     = "adc-client"
	testClientSecret = "adc-secret-value"
)

// newServer starts an oauth2test server with the metadata emulation and
// the test client registered.
func newServer(t *testing.T) *oauth2test.Server {
	t.Helper()
	srv := oauth2test.NewServer(&oauth2test.Options{
		Metadata:   true,
		SigningKey: testKey(),
		Clients:    []oauth2test.Client{{ID: testClientID, Secret: testClientSecret}},
	})
	t.Cleanup(srv.Close)
	return srv
}

// hostOf returns the host:port of a server's URL.
func hostOf(url string) string { return strings.TrimPrefix(url, "http://") }

// authorizedUserJSON returns an authorized_user file's JSON for a refresh
// token of srv.
func authorizedUserJSON(t *testing.T, srv *oauth2test.Server, extra map[string]any) []byte {
	t.Helper()
	_, rt := srv.MintToken(testClientID, "alice", []string{"openid", oauth2test.MetadataDefaultScope}, 0)
	m := map[string]any{
		"type":          "authorized_user",
		"client_id":     testClientID,
		"client_secret": testClientSecret,
		"refresh_token": rt,
		"token_uri":     srv.URL + oauth2test.PathToken,
	}
	for k, v := range extra {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// writeFile writes data to name in a new temporary folder, mode 0600.
func writeFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// closedAddr returns a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
