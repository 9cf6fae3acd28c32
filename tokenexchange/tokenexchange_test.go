package tokenexchange_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/oauth2test"
	"github.com/oauth2client/oauth2client/tokenexchange"
)

const (
	clientID = "exchanger"
	secret   = "exchanger-secret"
)

// recorder is a policy that records the requests it sees.
type recorder struct {
	mu   sync.Mutex
	seen []oauth2test.TokenExchangeRequest
	// decide, when set, decides instead of AllowTokenExchange.
	decide oauth2test.TokenExchangePolicy
}

func (r *recorder) policy(req *oauth2test.TokenExchangeRequest) oauth2test.TokenExchangeDecision {
	r.mu.Lock()
	r.seen = append(r.seen, *req)
	r.mu.Unlock()
	if r.decide != nil {
		return r.decide(req)
	}
	return oauth2test.AllowTokenExchange(req)
}

func (r *recorder) requests() []oauth2test.TokenExchangeRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seen)
}

// newServer starts oauth2test with the exchanging client and rec's policy.
func newServer(t *testing.T, rec *recorder) *oauth2test.Server {
	t.Helper()
	srv := oauth2test.NewServer(&oauth2test.Options{
		TokenExchange: rec.policy,
		Clients:       []oauth2test.Client{{ID: clientID, Secret: secret}},
	})
	t.Cleanup(srv.Close)
	return srv
}

func config(srv *oauth2test.Server, subject tokenexchange.InputToken) *tokenexchange.Config {
	return &tokenexchange.Config{
		TokenURL: srv.URL + oauth2test.PathToken,
		ClientID: clientID, ClientSecret: secret,
		Subject: subject,
	}
}

func static(tok string) oauth2client.TokenSource {
	return oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: tok})
}

func TestExchangeParameters(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	srv := newServer(t, rec)
	subject, _ := srv.MintToken("web", "alice", []string{"a", "b"}, 0)
	actor, _ := srv.MintToken("svc", "", nil, 0)
	cfg := config(srv, tokenexchange.InputToken{Source: static(subject)})
	cfg.Actor = &tokenexchange.InputToken{Source: static(actor)}
	cfg.Audience = []string{"aud-1", "aud-2"}
	cfg.Resource = []string{"https://r1.example/", "https://r2.example/"}
	cfg.Scopes = []string{"a"}
	cfg.RequestedTokenType = tokenexchange.TokenTypeAccessToken
	src, err := tokenexchange.NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := src.Token(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := tokenexchange.IssuedTokenType(tok); got != tokenexchange.TokenTypeAccessToken {
		t.Errorf("issued token type %q", got)
	}
	if !slices.Equal(tok.Scopes, []string{"a"}) || tok.AccessToken == subject || tok.Expiry.IsZero() {
		t.Errorf("token %+v", tok)
	}
	if _, err := src.Token(t.Context()); err != nil {
		t.Fatal(err)
	}
	seen := rec.requests()
	if len(seen) != 1 {
		t.Fatalf("%d exchanges for two Token calls, want 1 (cached)", len(seen))
	}
	r := seen[0]
	switch {
	case r.ClientID != clientID, r.SubjectToken != subject, r.SubjectTokenType != tokenexchange.TokenTypeAccessToken,
		r.Subject == nil || r.Subject.User != "alice",
		r.ActorToken != actor, r.ActorTokenType != tokenexchange.TokenTypeAccessToken,
		!slices.Equal(r.Audience, cfg.Audience), !slices.Equal(r.Resource, cfg.Resource),
		!slices.Equal(r.Scopes, []string{"a"}), r.RequestedTokenType != tokenexchange.TokenTypeAccessToken:
		t.Errorf("server saw %+v", r)
	}
}

func TestExchangeSubjectFileReadEachTime(t *testing.T) {
	t.Parallel()
	rec := &recorder{decide: func(r *oauth2test.TokenExchangeRequest) oauth2test.TokenExchangeDecision {
		return oauth2test.TokenExchangeDecision{User: "workload-" + r.SubjectToken, IssuedTokenType: tokenexchange.TokenTypeJWT}
	}}
	srv := newServer(t, rec)
	file := filepath.Join(t.TempDir(), "token")
	cfg := config(srv, tokenexchange.InputToken{File: file, Type: tokenexchange.TokenTypeJWT})
	src, err := tokenexchange.NewSource(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{"first\n", "  second  \n"} {
		if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		tok, err := src.Exchange(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		// An issued token that is not an access token has token_type N_A.
		if tok.TokenType != tokenexchange.NotApplicable || tokenexchange.IssuedTokenType(tok) != tokenexchange.TokenTypeJWT {
			t.Errorf("token type %q, issued %q", tok.TokenType, tokenexchange.IssuedTokenType(tok))
		}
	}
	var got []string
	for _, r := range rec.requests() {
		if r.SubjectTokenType != tokenexchange.TokenTypeJWT {
			t.Errorf("subject_token_type %q", r.SubjectTokenType)
		}
		got = append(got, r.SubjectToken)
	}
	if !slices.Equal(got, []string{"first", "second"}) {
		t.Errorf("subject tokens %q, want the file's content at each exchange", got)
	}
}

func TestExchangeIDTokenFromSource(t *testing.T) {
	t.Parallel()
	rec := &recorder{decide: func(r *oauth2test.TokenExchangeRequest) oauth2test.TokenExchangeDecision {
		return oauth2test.TokenExchangeDecision{User: "alice"}
	}}
	srv := newServer(t, rec)
	src := oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "at", IDToken: "id.token.jwt"})
	x, err := tokenexchange.NewSource(config(srv, tokenexchange.InputToken{Source: src, Type: tokenexchange.TokenTypeIDToken}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.Exchange(t.Context()); err != nil {
		t.Fatal(err)
	}
	if r := rec.requests()[0]; r.SubjectToken != "id.token.jwt" || r.SubjectTokenType != tokenexchange.TokenTypeIDToken {
		t.Errorf("server saw subject %q of type %q, want the ID token", r.SubjectToken, r.SubjectTokenType)
	}
}

func TestExchangeRefused(t *testing.T) {
	t.Parallel()
	for _, code := range []string{"invalid_target", "unauthorized_client"} {
		t.Run(code, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{decide: func(*oauth2test.TokenExchangeRequest) oauth2test.TokenExchangeDecision {
				return oauth2test.TokenExchangeDecision{Deny: code}
			}}
			srv := newServer(t, rec)
			subject, _ := srv.MintToken("web", "alice", nil, 0)
			src, err := tokenexchange.NewSource(config(srv, tokenexchange.InputToken{Source: static(subject)}))
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Token(t.Context())
			oe, ok := errors.AsType[*oauth2client.Error](err)
			if !ok || oe.Code != code {
				t.Fatalf("err = %v, want an *oauth2client.Error with code %s", err, code)
			}
			if strings.Contains(err.Error(), subject) {
				t.Errorf("error quotes the subject token: %v", err)
			}
		})
	}
}

func TestExchangeWithoutIssuedTokenType(t *testing.T) {
	t.Parallel()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != tokenexchange.GrantType || r.PostForm.Get("subject_token") != "subject" {
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"issued","token_type":"Bearer","expires_in":300}`))
	}))
	t.Cleanup(ts.Close)
	src, err := tokenexchange.NewSource(&tokenexchange.Config{TokenURL: ts.URL, ClientID: "c", Subject: tokenexchange.InputToken{Source: static("subject")}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = src.Token(t.Context())
	if !errors.Is(err, tokenexchange.ErrNoIssuedTokenType) || !errors.Is(err, oauth2client.ErrMalformedResponse) {
		t.Errorf("err = %v, want ErrNoIssuedTokenType and ErrMalformedResponse", err)
	}
}

func TestExchangeBadInput(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(empty, []byte(" \n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, make([]byte, tokenexchange.MaxTokenFileSize+1), 0o600); err != nil {
		t.Fatal(err)
	}
	failing := oauth2client.TokenSourceFunc(func(context.Context) (*oauth2client.Token, error) {
		return nil, errors.New("upstream down")
	})
	for _, tc := range []struct {
		name    string
		cfg     tokenexchange.Config
		newErr  string // from NewSource
		xchgErr string // from Exchange
		is      error
	}{
		{name: "no token URL", cfg: tokenexchange.Config{Subject: tokenexchange.InputToken{File: empty}}, newErr: "TokenURL"},
		{name: "no subject", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token"}, newErr: "Config.Subject"},
		{name: "both source and file", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token",
			Subject: tokenexchange.InputToken{File: empty, Source: static("x")}}, newErr: "Config.Subject"},
		{name: "bad actor", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token",
			Subject: tokenexchange.InputToken{File: empty}, Actor: &tokenexchange.InputToken{}}, newErr: "Config.Actor"},
		{name: "empty file", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token", Subject: tokenexchange.InputToken{File: empty}},
			xchgErr: "subject token file " + empty + " is empty"},
		{name: "file too large", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token", Subject: tokenexchange.InputToken{File: big}},
			xchgErr: big, is: safefile.ErrTooLarge},
		{name: "missing file", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token", Subject: tokenexchange.InputToken{File: filepath.Join(dir, "none")}},
			xchgErr: "none", is: os.ErrNotExist},
		{name: "source without an ID token", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token",
			Subject: tokenexchange.InputToken{Source: static("at"), Type: tokenexchange.TokenTypeIDToken}},
			xchgErr: "subject token: the source gave no token"},
		{name: "failing actor source", cfg: tokenexchange.Config{TokenURL: "http://127.0.0.1:1/token",
			Subject: tokenexchange.InputToken{Source: static("s")}, Actor: &tokenexchange.InputToken{Source: failing}},
			xchgErr: "actor token: upstream down"},
		{name: "plain http off loopback", cfg: tokenexchange.Config{TokenURL: "http://token.example/",
			Subject: tokenexchange.InputToken{Source: static("s")}}, xchgErr: "TokenRequest.URL", is: oauth2client.ErrInsecureHTTP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src, err := tokenexchange.NewSource(&tc.cfg)
			if tc.newErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.newErr) {
					t.Fatalf("NewSource: err = %v, want one naming %s", err, tc.newErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			_, err = src.Exchange(t.Context())
			if err == nil || !strings.Contains(err.Error(), tc.xchgErr) || tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("Exchange: err = %v, want one with %q (is %v)", err, tc.xchgErr, tc.is)
			}
		})
	}
}
