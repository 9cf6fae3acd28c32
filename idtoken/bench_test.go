package idtoken

import (
	"context"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/oauth2client/oauth2client/internal/jose"
)

// BenchmarkVerifyWarm measures verifying one RS256 ID token with a warm
// JWKS cache, ours and coreos/go-oidc/v3's IDTokenVerifier on the same
// token and the same JWKS server.
func BenchmarkVerifyWarm(b *testing.B) {
	testKeys(b)
	srv, _ := jwksServer(b, jose.Key{KID: "rsa", Public: rsaKey.Public()})
	tok := sign(b, rsaKey, "rsa", baseClaims())
	ctx := context.Background()

	b.Run("oauth2client", func(b *testing.B) {
		v := staticVerifier(b, func(o *Options) { o.Keys, o.JWKSURL = nil, srv.URL })
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("go-oidc", func(b *testing.B) {
		keys := oidc.NewRemoteKeySet(ctx, srv.URL)
		v := oidc.NewVerifier(testIssuer, keys, &oidc.Config{
			ClientID: testClient, Now: staticNow, SupportedSigningAlgs: []string{oidc.RS256, oidc.ES256},
		})
		if _, err := v.Verify(ctx, tok); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, tok); err != nil {
				b.Fatal(err)
			}
		}
	})
}
