package idtoken

import (
	"context"
	"crypto"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// BenchmarkVerifyWarm measures verifying one ID token with a warm JWKS
// cache, ours and coreos/go-oidc/v3's IDTokenVerifier on the same token
// and the same JWKS server, for RS256 and ES256.
func BenchmarkVerifyWarm(b *testing.B) {
	testKeys(b)
	srv, _ := jwksServer(b, jose.Key{KID: "rsa", Public: rsaKey.Public()}, jose.Key{KID: "ec", Public: ecKey.Public()})
	ctx := context.Background()
	for _, alg := range []struct {
		name, kid string
		key       crypto.Signer
	}{{"RS256", "rsa", rsaKey}, {"ES256", "ec", ecKey}} {
		tok := sign(b, alg.key, alg.kid, baseClaims())
		ours := staticVerifier(b, func(o *Options) { o.Keys, o.JWKSURL = nil, srv.URL })
		theirs := oidc.NewVerifier(testIssuer, oidc.NewRemoteKeySet(ctx, srv.URL), &oidc.Config{
			ClientID: testClient, Now: staticNow, SupportedSigningAlgs: []string{oidc.RS256, oidc.ES256},
		})
		for _, impl := range []struct {
			name   string
			verify func() error
		}{
			{"oauth2client", func() error { _, err := ours.Verify(ctx, tok); return err }},
			{"go-oidc", func() error { _, err := theirs.Verify(ctx, tok); return err }},
		} {
			b.Run(alg.name+"/"+impl.name, func(b *testing.B) {
				if err := impl.verify(); err != nil { // warm the cache
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if err := impl.verify(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
