package oauth2client

import (
	"errors"
	"strings"
	"testing"
)

// TestMTLSAliases: discovery's mtls_endpoint_aliases are read for the
// endpoints a client calls, checked like the endpoints, and Endpoint.MTLS
// swaps them in.
func TestMTLSAliases(t *testing.T) {
	t.Parallel()
	const base = `{"issuer":"https://as.example","authorization_endpoint":"https://as.example/a","token_endpoint":"https://as.example/t","revocation_endpoint":"https://as.example/r"`
	tests := []struct {
		name    string
		doc     string
		wantErr string
		want    Endpoint // TokenURL, RevocationURL, AuthURL after MTLS()
	}{
		{name: "none", doc: base + `}`, want: Endpoint{AuthURL: "https://as.example/a", TokenURL: "https://as.example/t", RevocationURL: "https://as.example/r"}},
		{name: "token alias, unknown names ignored",
			doc:  base + `,"mtls_endpoint_aliases":{"token_endpoint":"https://mtls.as.example/t","authorization_endpoint":"https://x/","other":5},"tls_client_certificate_bound_access_tokens":true}`,
			want: Endpoint{AuthURL: "https://as.example/a", TokenURL: "https://mtls.as.example/t", RevocationURL: "https://as.example/r"}},
		{name: "not an object", doc: base + `,"mtls_endpoint_aliases":[]}`, wantErr: `"mtls_endpoint_aliases" is an array`},
		{name: "not a string", doc: base + `,"mtls_endpoint_aliases":{"token_endpoint":1}}`, wantErr: `"token_endpoint" is a number`},
		{name: "plain http", doc: base + `,"mtls_endpoint_aliases":{"revocation_endpoint":"http://as.example/r"}}`, wantErr: `"revocation_endpoint"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e, err := parseDiscoveryDocument([]byte(tt.doc), "https://as.example")
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, ErrMalformedResponse) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one naming %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := e.MTLS()
			if m.AuthURL != tt.want.AuthURL || m.TokenURL != tt.want.TokenURL || m.RevocationURL != tt.want.RevocationURL {
				t.Errorf("MTLS() = %s %s %s, want %s %s %s", m.AuthURL, m.TokenURL, m.RevocationURL, tt.want.AuthURL, tt.want.TokenURL, tt.want.RevocationURL)
			}
			if e.TokenURL != "https://as.example/t" {
				t.Error("MTLS modified its receiver")
			}
		})
	}
}
