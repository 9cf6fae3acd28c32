package google

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client/internal/jose"

	"github.com/oauth2client/oauth2client/oauth2test"
)

func TestMetadataAgainstOAuth2test(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := context.Background()
	for _, account := range []string{"", "default", oauth2test.MetadataServiceAccount} {
		t.Run("account "+account, func(t *testing.T) {
			m := NewMetadataClient(&MetadataOptions{Host: hostOf(srv.URL), Account: account})
			if err := m.Probe(ctx); err != nil {
				t.Fatalf("Probe: %v", err)
			}
			tok, err := m.Token(ctx)
			if err != nil || !strings.HasPrefix(tok.AccessToken, "at-") || tok.Expiry.IsZero() {
				t.Fatalf("Token = %+v, %v", tok, err)
			}
			email, err := m.Email(ctx)
			if err != nil || email != oauth2test.MetadataServiceAccount {
				t.Errorf("Email = %q, %v", email, err)
			}
			scopes, err := m.Scopes(ctx)
			if err != nil || !slices.Equal(scopes, []string{oauth2test.MetadataDefaultScope}) {
				t.Errorf("Scopes = %q, %v", scopes, err)
			}
			project, err := m.ProjectID(ctx)
			if err != nil || project != oauth2test.MetadataProjectID {
				t.Errorf("ProjectID = %q, %v", project, err)
			}
			raw, err := m.IDToken(ctx, "https://api.example")
			if err != nil {
				t.Fatalf("IDToken: %v", err)
			}
			jws, err := jose.Parse(raw, []string{jose.RS256})
			if err != nil {
				t.Fatal(err)
			}
			set, err := jose.NewKeySet(jose.Key{KID: jws.Header.KID, Public: &testKey().PublicKey})
			if err != nil {
				t.Fatal(err)
			}
			payload, err := jws.Verify(set)
			if err != nil {
				t.Fatal(err)
			}
			var claims struct {
				Aud   string `json:"aud"`
				Email string `json:"email"`
			}
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			if claims.Aud != "https://api.example" || claims.Email != oauth2test.MetadataServiceAccount {
				t.Errorf("ID token claims = %+v", claims)
			}
		})
	}
	t.Run("unknown account", func(t *testing.T) {
		m := NewMetadataClient(&MetadataOptions{Host: hostOf(srv.URL), Account: "nobody@example.com"})
		_, err := m.Email(ctx)
		var me *MetadataError
		if !errors.As(err, &me) || me.StatusCode != http.StatusNotFound {
			t.Errorf("Email = %v, want a *MetadataError with status 404", err)
		}
	})
}

// TestMetadataTokenCached: many concurrent calls make one token request.
func TestMetadataTokenCached(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	m := NewMetadataClient(&MetadataOptions{Host: hostOf(srv.URL)})
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := m.Token(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if n := srv.Requests(oauth2test.PathMetadataToken); n != 1 {
		t.Errorf("token requests = %d, want 1", n)
	}
}

// TestMetadataRequests checks each request's path, query and header
// against a server per case.
func TestMetadataRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      MetadataOptions
		call      func(context.Context, *MetadataClient) error
		wantPath  string
		wantQuery string
		answer    string
	}{
		{name: "token with scopes", opts: MetadataOptions{Scopes: []string{"a", "b"}},
			call:     func(ctx context.Context, m *MetadataClient) error { _, err := m.Token(ctx); return err },
			wantPath: "/computeMetadata/v1/instance/service-accounts/default/token", wantQuery: "scopes=a%2Cb",
			answer: `{"access_token":"x","expires_in":60,"token_type":"Bearer"}`},
		{name: "token of a named account", opts: MetadataOptions{Account: "sa@p.iam.gserviceaccount.com"},
			call:     func(ctx context.Context, m *MetadataClient) error { _, err := m.Token(ctx); return err },
			wantPath: "/computeMetadata/v1/instance/service-accounts/sa@p.iam.gserviceaccount.com/token",
			answer:   `{"access_token":"x","expires_in":60}`},
		{name: "identity", call: func(ctx context.Context, m *MetadataClient) error { _, err := m.IDToken(ctx, "aud 1"); return err },
			wantPath:  "/computeMetadata/v1/instance/service-accounts/default/identity",
			wantQuery: "audience=aud+1&format=full", answer: "a.b.c"},
		{name: "project", call: func(ctx context.Context, m *MetadataClient) error { _, err := m.ProjectID(ctx); return err },
			wantPath: "/computeMetadata/v1/project/project-id", answer: "p"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Metadata-Flavor") != "Google" {
					t.Errorf("request without Metadata-Flavor")
				}
				if r.URL.Path != tt.wantPath || r.URL.RawQuery != tt.wantQuery {
					t.Errorf("request %s?%s, want %s?%s", r.URL.Path, r.URL.RawQuery, tt.wantPath, tt.wantQuery)
				}
				w.Header().Set("Metadata-Flavor", "Google")
				io.WriteString(w, tt.answer)
			}))
			defer srv.Close()
			tt.opts.Host = hostOf(srv.URL)
			if err := tt.call(context.Background(), NewMetadataClient(&tt.opts)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestMetadataBadAnswers: each bad answer is its own typed error.
func TestMetadataBadAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		flavor     string
		status     int
		body       string
		wantIs     error
		wantStatus int
		wantText   string
	}{
		{name: "no Metadata-Flavor", status: 200, body: `{"access_token":"secret-token-value"}`, wantIs: ErrMissingMetadataFlavor, wantStatus: 200},
		{name: "wrong Metadata-Flavor", flavor: "Amazon", status: 200, body: `{"access_token":"secret-token-value"}`, wantIs: ErrMissingMetadataFlavor, wantStatus: 200},
		{name: "error without Metadata-Flavor", status: 500, wantIs: ErrMissingMetadataFlavor, wantStatus: 500},
		{name: "404", flavor: "Google", status: 404, wantStatus: 404, wantText: "Not Found"},
		{name: "not JSON", flavor: "Google", status: 200, body: "secret-token-value", wantStatus: 200, wantText: "not JSON"},
		{name: "no access_token", flavor: "Google", status: 200, body: `{"expires_in":3}`, wantStatus: 200, wantText: "no access_token"},
		{name: "no expires_in", flavor: "Google", status: 200, body: `{"access_token":"secret-token-value"}`, wantStatus: 200, wantText: "no positive expires_in"},
		{name: "oversized", flavor: "Google", status: 200, body: strings.Repeat("x", 1<<20+1), wantStatus: 200, wantText: "exceeds"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.flavor != "" {
					w.Header().Set("Metadata-Flavor", tt.flavor)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			m := NewMetadataClient(&MetadataOptions{Host: hostOf(srv.URL)})
			_, err := m.fetchToken(context.Background())
			var me *MetadataError
			if !errors.As(err, &me) {
				t.Fatalf("err = %v, want a *MetadataError", err)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("err = %v, want %v", err, tt.wantIs)
			}
			if me.StatusCode != tt.wantStatus || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err = %v (status %d), want status %d and %q", err, me.StatusCode, tt.wantStatus, tt.wantText)
			}
			if strings.Contains(err.Error(), "secret-token-value") {
				t.Errorf("err %q quotes the body", err)
			}
		})
	}
}

// TestMetadataProbeUnreachable: a closed port is an error, not a hang.
func TestMetadataProbeUnreachable(t *testing.T) {
	t.Parallel()
	m := NewMetadataClient(&MetadataOptions{Host: closedAddr(t)})
	if err := m.Probe(context.Background()); err == nil {
		t.Fatal("Probe of a closed port succeeded")
	}
}

// TestMetadataHostFromEnv uses t.Setenv, so it is not parallel.
func TestMetadataHostFromEnv(t *testing.T) {
	t.Setenv(EnvMetadataHost, "127.0.0.1:1234")
	if h := NewMetadataClient(nil).Host(); h != "127.0.0.1:1234" {
		t.Errorf("Host = %q", h)
	}
	t.Setenv(EnvMetadataHost, "")
	if h := NewMetadataClient(nil).Host(); h != DefaultMetadataHost {
		t.Errorf("Host = %q, want %q", h, DefaultMetadataHost)
	}
}
