package oauth2adapt

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/oauth2client/oauth2client"
)

var expiry = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func TestTokenToOAuth2(t *testing.T) {
	tests := []struct {
		name      string
		in        *oauth2client.Token
		wantID    any
		wantScope any
		wantOther any
	}{
		{"nil", nil, nil, nil, nil},
		{"plain", &oauth2client.Token{AccessToken: "a"}, nil, nil, nil},
		{
			"all fields",
			&oauth2client.Token{AccessToken: "a", TokenType: "Bearer", RefreshToken: "r", Expiry: expiry,
				IDToken: "id.tok.en", Scopes: []string{"openid", "email"},
				Raw: map[string]any{"access_token": "a", "other": "x"}},
			"id.tok.en", "openid email", "x",
		},
		{
			"raw scope kept as sent",
			&oauth2client.Token{AccessToken: "a", Scopes: []string{"s"}, Raw: map[string]any{"scope": "s"}},
			nil, "s", nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := TokenToOAuth2(tt.in)
			if tt.in == nil {
				if o != nil {
					t.Fatalf("got %v, want nil", o)
				}
				return
			}
			if o.AccessToken != tt.in.AccessToken || o.TokenType != tt.in.TokenType ||
				o.RefreshToken != tt.in.RefreshToken || !o.Expiry.Equal(tt.in.Expiry) {
				t.Errorf("fields differ: %+v from %+v", o, tt.in)
			}
			if got := o.Extra("id_token"); got != tt.wantID {
				t.Errorf("id_token = %v, want %v", got, tt.wantID)
			}
			if got := o.Extra("scope"); got != tt.wantScope {
				t.Errorf("scope = %v, want %v", got, tt.wantScope)
			}
			if got := o.Extra("other"); got != tt.wantOther {
				t.Errorf("other = %v, want %v", got, tt.wantOther)
			}
			if tt.in.Raw != nil {
				if _, added := tt.in.Raw["id_token"]; added {
					t.Error("input Raw modified")
				}
			}
		})
	}
}

func TestTokenFromOAuth2(t *testing.T) {
	base := &oauth2.Token{AccessToken: "a", TokenType: "bearer", RefreshToken: "r", Expiry: expiry}
	tests := []struct {
		name       string
		in         *oauth2.Token
		wantID     string
		wantScopes []string
	}{
		{"nil", nil, "", nil},
		{"plain", base, "", nil},
		{"extra", base.WithExtra(map[string]any{"id_token": "id.tok.en", "scope": "openid email"}),
			"id.tok.en", []string{"openid", "email"}},
		{"empty scope", base.WithExtra(map[string]any{"scope": ""}), "", []string{}},
		{"wrong types ignored", base.WithExtra(map[string]any{"id_token": 7, "scope": []string{"x"}}), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := TokenFromOAuth2(tt.in)
			if tt.in == nil {
				if got != nil {
					t.Fatalf("got %v, want nil", got)
				}
				return
			}
			if got.AccessToken != "a" || got.TokenType != "bearer" || got.RefreshToken != "r" || !got.Expiry.Equal(expiry) {
				t.Errorf("fields differ: %+v", got)
			}
			if got.IDToken != tt.wantID {
				t.Errorf("IDToken = %q, want %q", got.IDToken, tt.wantID)
			}
			if (got.Scopes == nil) != (tt.wantScopes == nil) || !slices.Equal(got.Scopes, tt.wantScopes) {
				t.Errorf("Scopes = %#v, want %#v", got.Scopes, tt.wantScopes)
			}
			if tt.wantID != "" && got.Extra("id_token") != tt.wantID {
				t.Errorf("Raw id_token = %v", got.Extra("id_token"))
			}
		})
	}
}

func TestTokenRoundTrip(t *testing.T) {
	in := &oauth2client.Token{AccessToken: "a", TokenType: "Bearer", RefreshToken: "r", Expiry: expiry,
		IDToken: "id", Scopes: []string{"x", "y"}}
	got := TokenFromOAuth2(TokenToOAuth2(in))
	if got.AccessToken != in.AccessToken || got.TokenType != in.TokenType || got.RefreshToken != in.RefreshToken ||
		!got.Expiry.Equal(in.Expiry) || got.IDToken != in.IDToken || !slices.Equal(got.Scopes, in.Scopes) {
		t.Errorf("round trip: got %+v, want %+v", got, in)
	}
}

func TestTokenSourceToOAuth2(t *testing.T) {
	tok := &oauth2client.Token{AccessToken: "a", Expiry: expiry}
	var gotCtx context.Context
	calls := 0
	src := oauth2client.TokenSourceFunc(func(ctx context.Context) (*oauth2client.Token, error) {
		gotCtx = ctx
		calls++
		if calls == 3 {
			return nil, oauth2client.ErrCannotRefresh
		}
		return tok, nil
	})
	ts := TokenSourceToOAuth2(src)
	o1, err := ts.Token()
	if err != nil || o1.AccessToken != "a" {
		t.Fatalf("Token = %v, %v", o1, err)
	}
	if gotCtx != context.Background() {
		t.Error("source not called with context.Background()")
	}
	o2, _ := ts.Token()
	if o1 != o2 {
		t.Error("the same token converted twice")
	}
	if _, err := ts.Token(); !errors.Is(err, oauth2client.ErrCannotRefresh) {
		t.Errorf("err = %v, want ErrCannotRefresh", err)
	}
	if back := TokenSourceFromOAuth2(ts); back == nil {
		t.Error("nil")
	} else if _, ok := back.(oauth2client.TokenSourceFunc); !ok {
		t.Errorf("TokenSourceFromOAuth2(TokenSourceToOAuth2(src)) = %T, want src itself", back)
	}
}

// errSource is an x/oauth2 token source that fails.
type errSource struct{ err error }

func (s errSource) Token() (*oauth2.Token, error) { return nil, s.err }

func TestTokenSourceFromOAuth2(t *testing.T) {
	o := (&oauth2.Token{AccessToken: "a", Expiry: expiry}).WithExtra(map[string]any{"id_token": "id"})
	src := TokenSourceFromOAuth2(oauth2.StaticTokenSource(o))
	t1, err := src.Token(t.Context())
	if err != nil || t1.AccessToken != "a" || t1.IDToken != "id" {
		t.Fatalf("Token = %+v, %v", t1, err)
	}
	t2, _ := src.Token(t.Context())
	if t1 != t2 {
		t.Error("the same token converted twice")
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := src.Token(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled ctx: err = %v, want context.Canceled", err)
	}

	re := &oauth2.RetrieveError{ErrorCode: "invalid_grant"}
	_, err = TokenSourceFromOAuth2(errSource{re}).Token(t.Context())
	var got *oauth2.RetrieveError
	if !errors.As(err, &got) || got != re {
		t.Errorf("err = %v, want the *oauth2.RetrieveError wrapped", err)
	}
	if _, err := TokenSourceFromOAuth2(errSource{}).Token(t.Context()); err == nil {
		t.Error("nil token without error accepted")
	}
}

func TestConvertedTokenAllocs(t *testing.T) {
	src := TokenSourceToOAuth2(oauth2client.StaticTokenSource(&oauth2client.Token{AccessToken: "a"}))
	if n := testing.AllocsPerRun(100, func() { _, _ = src.Token() }); n != 0 {
		t.Errorf("Token allocates %v times, want 0", n)
	}
}
