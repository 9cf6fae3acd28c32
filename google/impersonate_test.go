package google

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/oauth2test"
)

const targetSA = "target@proj.iam.gserviceaccount.com"

func TestImpersonateAgainstOAuth2test(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	at, _ := srv.MintToken(testClientID, "alice", []string{CloudPlatformScope}, 0)
	imp, err := Impersonate(oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: at}), &ImpersonateOptions{
		TargetPrincipal: targetSA,
		Delegates:       []string{"middle@proj.iam.gserviceaccount.com"},
		Scopes:          []string{"openid", "email"},
		Lifetime:        10 * time.Minute,
		BaseURL:         srv.URL,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for range 5 {
		tok, err := imp.Token(ctx)
		if err != nil || !strings.HasPrefix(tok.AccessToken, "at-") || tok.Expiry.IsZero() {
			t.Fatalf("Token = %+v, %v", tok, err)
		}
	}
	if n := srv.Requests(oauth2test.PathIAMGenerateAccessToken); n != 1 {
		t.Errorf("generateAccessToken calls = %d, want 1", n)
	}
	// The token is the target's: the server's userinfo answers for it.
	tok, _ := imp.Token(ctx)
	resp, err := oauth2client.NewClient(oauth2client.StaticTokenSource(tok), nil).Get(srv.URL + oauth2test.PathUserInfo)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), targetSA) {
		t.Errorf("userinfo = %s, want the target's", body)
	}
	raw, err := imp.IDToken(ctx, "https://aud.example", true)
	if err != nil || strings.Count(raw, ".") != 2 {
		t.Errorf("IDToken = %q, %v", raw, err)
	}
}

// TestImpersonateRequests checks the requests' shape against a server per case.
func TestImpersonateRequests(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     ImpersonateOptions
		call     func(context.Context, *Impersonated) error
		wantPath string
		want     map[string]any
		answer   string
	}{
		{name: "generateAccessToken",
			opts:     ImpersonateOptions{Scopes: []string{"s1", "s2"}, Delegates: []string{"d@p"}, Lifetime: 600 * time.Second},
			call:     func(ctx context.Context, i *Impersonated) error { _, err := i.Token(ctx); return err },
			wantPath: "/v1/projects/-/serviceAccounts/" + targetSA + ":generateAccessToken",
			want:     map[string]any{"delegates": []any{"projects/-/serviceAccounts/d@p"}, "scope": []any{"s1", "s2"}, "lifetime": "600s"},
			answer:   `{"accessToken":"x","expireTime":"2030-01-01T00:00:00Z"}`},
		{name: "generateIdToken",
			call:     func(ctx context.Context, i *Impersonated) error { _, err := i.IDToken(ctx, "aud", false); return err },
			wantPath: "/v1/projects/-/serviceAccounts/" + targetSA + ":generateIdToken",
			want:     map[string]any{"delegates": []any{}, "audience": "aud", "includeEmail": false},
			answer:   `{"token":"a.b.c"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method != http.MethodPost || r.URL.Path != tt.wantPath {
					t.Errorf("request %s %s, want POST %s", r.Method, r.URL.Path, tt.wantPath)
				}
				if got := r.Header.Get("Authorization"); got != "Bearer source-token" {
					t.Errorf("Authorization = %q", got)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				var got map[string]any
				if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
					t.Error(err)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("body = %v, want %v", got, tt.want)
				}
				io.WriteString(w, tt.answer)
			}))
			defer srv.Close()
			tt.opts.TargetPrincipal = targetSA
			tt.opts.BaseURL = srv.URL
			imp, err := Impersonate(oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "source-token"}), &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.call(context.Background(), imp); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestImpersonateErrors(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ctx := context.Background()
	static := func(s string) oauth2client.TokenSource {
		return oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: s})
	}
	good, _ := srv.MintToken(testClientID, "alice", nil, 0)
	tests := []struct {
		name       string
		src        oauth2client.TokenSource
		opts       ImpersonateOptions
		wantStatus int
		wantAPI    string
		wantText   string
	}{
		{name: "unknown source token", src: static("not-a-token-secret"), opts: ImpersonateOptions{Scopes: []string{"s"}},
			wantStatus: 401, wantAPI: "UNAUTHENTICATED"},
		{name: "failing source", src: oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) {
			return nil, errors.New("source broke")
		}), opts: ImpersonateOptions{Scopes: []string{"s"}}, wantText: "source broke"},
		{name: "no scopes", src: static(good), wantText: "no scopes"},
		{name: "lifetime over an hour", src: static(good), opts: ImpersonateOptions{Scopes: []string{"s"}, Lifetime: 2 * time.Hour},
			wantStatus: 400, wantAPI: "INVALID_ARGUMENT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.TargetPrincipal = targetSA
			tt.opts.BaseURL = srv.URL
			imp, err := Impersonate(tt.src, &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			_, err = imp.Token(ctx)
			var ie *IAMError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *IAMError", err)
			}
			if ie.Method != "generateAccessToken" || ie.StatusCode != tt.wantStatus || ie.Status != tt.wantAPI || !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("err = %v (%+v)", err, ie)
			}
			if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), good) {
				t.Errorf("err %q quotes a token", err)
			}
		})
	}
}

func TestImpersonateOptionsChecked(t *testing.T) {
	t.Parallel()
	src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "x"})
	for _, o := range []*ImpersonateOptions{
		nil,
		{},
		{TargetPrincipal: targetSA, BaseURL: "http://example.com"},
		{TargetPrincipal: targetSA, Lifetime: time.Millisecond},
	} {
		if _, err := Impersonate(src, o); err == nil {
			t.Errorf("Impersonate(%+v) succeeded", o)
		}
	}
	if _, err := Impersonate(nil, &ImpersonateOptions{TargetPrincipal: targetSA}); err == nil {
		t.Error("Impersonate(nil source) succeeded")
	}
}

func TestImpersonatedFile(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	var src map[string]any
	if err := json.Unmarshal(authorizedUserJSON(t, srv, nil), &src); err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(map[string]any{
		"type":                              "impersonated_service_account",
		"service_account_impersonation_url": srv.URL + "/v1/projects/-/serviceAccounts/" + targetSA + ":generateAccessToken",
		"source_credentials":                src,
		"delegates":                         []string{"d@proj.iam.gserviceaccount.com"},
		"quota_project_id":                  "q",
	})
	c, err := CredentialsFromJSON(data, "imp.json", &Options{Scopes: []string{"openid"}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != TypeImpersonated || c.QuotaProject != "q" || c.Impersonated().TargetPrincipal() != targetSA {
		t.Errorf("credentials = %+v", c)
	}
	tok, err := c.Token(context.Background())
	if err != nil || !slices.Equal(tok.Scopes, []string{"openid"}) {
		t.Fatalf("Token = %+v, %v", tok, err)
	}
	if srv.TokenRequests("refresh_token") != 1 || srv.Requests(oauth2test.PathIAMGenerateAccessToken) != 1 {
		t.Errorf("requests: refresh %d, generateAccessToken %d; want 1 and 1",
			srv.TokenRequests("refresh_token"), srv.Requests(oauth2test.PathIAMGenerateAccessToken))
	}
}
