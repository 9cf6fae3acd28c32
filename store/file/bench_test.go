package file

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
)

// benchStore returns a store of format f holding n credentials, keys
// "key-0" ... "key-(n-1)".
func benchStore(b *testing.B, f Format, n int) *Store {
	b.Helper()
	path := filepath.Join(b.TempDir(), "creds.json")
	s := must(Open(path, &Options{NewFormat: f}))
	// Build the file in one write.
	d := &doc{format: f}
	c, err := benchCredentials(0).MarshalJSON()
	if err != nil {
		b.Fatal(err)
	}
	cred, _ := credentialJSON(c, nil)
	for i := range n {
		d.set(fmt.Sprintf("key-%d", i), cred)
	}
	if err := s.write(d); err != nil {
		b.Fatal(err)
	}
	return s
}

// benchEach runs bench on a store of each benchmarked format and size,
// with the key of an entry in the middle.
func benchEach(b *testing.B, bench func(b *testing.B, s *Store, key string)) {
	for _, f := range []Format{FormatGo, FormatMultiprocess} {
		for _, n := range []int{1, 100, 10000} {
			b.Run(fmt.Sprintf("%s/%d", benchName(f), n), func(b *testing.B) {
				bench(b, benchStore(b, f, n), fmt.Sprintf("key-%d", n/2))
			})
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	ctx := context.Background()
	benchEach(b, func(b *testing.B, s *Store, key string) {
		for b.Loop() {
			if _, err := s.Load(ctx, key); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUpdate(b *testing.B) {
	ctx := context.Background()
	benchEach(b, func(b *testing.B, s *Store, key string) {
		i := 0
		for b.Loop() {
			i++
			err := s.Update(ctx, key, func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
				return benchCredentials(i), nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}

// benchCredentials are credentials of a typical size (about 900 bytes of
// JSON): a 160-byte access token, refresh token, scopes, endpoints.
func benchCredentials(i int) *oauth2client.CredentialsState {
	return &oauth2client.CredentialsState{
		ClientID: "1234567890-abcdefghijklmnop.apps.example.com", ClientSecret: "GOCSPX-abcdefghijklmnopqrstuvwxyz",
		TokenURI: "https://oauth2.example.com/token", RevokeURI: "https://oauth2.example.com/revoke",
		Scopes: []string{"openid", "email", "profile"},
		Token: &oauth2client.Token{AccessToken: fmt.Sprintf("ya29.%0155d", i), RefreshToken: fmt.Sprintf("1//%0100d", i),
			TokenType: "Bearer", Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
}

func benchName(f Format) string {
	if f == FormatGo {
		return "ours"
	}
	return "v2"
}
