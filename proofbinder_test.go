package oauth2client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// fakeBinder is a ProofBinder that numbers its proofs and remembers the
// server's nonce, as a DPoP prover would (without any key).
type fakeBinder struct {
	proofs atomic.Int32
	mu     sync.Mutex
	nonce  string
}

func (b *fakeBinder) TokenType() string { return "DPoP" }

func (b *fakeBinder) BindRequest(_ context.Context, r *ProofRequest) error {
	b.mu.Lock()
	nonce := b.nonce
	b.mu.Unlock()
	r.Header.Set("DPoP", r.Method+" "+r.URL+" #"+strconv.Itoa(int(b.proofs.Add(1)))+" nonce="+nonce)
	return nil
}

func (b *fakeBinder) NonceRetry(a *ProofAnswer) bool {
	n := a.Header.Get("DPoP-Nonce")
	if a.StatusCode != http.StatusBadRequest || a.ErrorCode != "use_dpop_nonce" || n == "" {
		return false
	}
	b.mu.Lock()
	b.nonce = n
	b.mu.Unlock()
	return true
}

// TestProofBinder: token requests carry a fresh proof on every try; an
// answer asking for a nonce is followed by one more request carrying it
// (for a code exchange too); the token type the binder expects is
// accepted and Bearer is refused.
func TestProofBinder(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, grant, tokenType string
		askNonce               bool
		wantProofs             []string
		wantErr                error
	}{
		{name: "refresh", grant: "refresh_token", tokenType: "DPoP", wantProofs: []string{"#1 nonce="}},
		{name: "nonce asked", grant: "refresh_token", tokenType: "dpop", askNonce: true,
			wantProofs: []string{"#1 nonce=", "#2 nonce=n-1"}},
		{name: "code exchange, nonce asked", grant: "authorization_code", tokenType: "DPoP", askNonce: true,
			wantProofs: []string{"#1 nonce=", "#2 nonce=n-1"}},
		{name: "bearer token refused", grant: "refresh_token", tokenType: "Bearer",
			wantProofs: []string{"#1 nonce="}, wantErr: ErrUnsupportedTokenType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var proofs []string
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				proofs = append(proofs, r.Header.Get("DPoP"))
				first := len(proofs) == 1
				mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				if tt.askNonce && first {
					w.Header().Set("DPoP-Nonce", "n-1")
					w.WriteHeader(http.StatusBadRequest)
					io.WriteString(w, `{"error":"use_dpop_nonce"}`)
					return
				}
				io.WriteString(w, `{"access_token":"at","token_type":"`+tt.tokenType+`"}`)
			}))
			defer srv.Close()
			binder := &fakeBinder{}
			tok, err := RequestToken(context.Background(), &TokenRequest{URL: srv.URL + "/token", ProofBinder: binder,
				Params: url.Values{"grant_type": {tt.grant}}, Retry: RetryOptions{Disable: true}})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
			} else if err != nil || tok.AccessToken != "at" {
				t.Fatalf("token %v, error %v", tok, err)
			}
			if len(proofs) != len(tt.wantProofs) {
				t.Fatalf("server saw proofs %q, want %q", proofs, tt.wantProofs)
			}
			for i, p := range proofs {
				if want := "POST " + srv.URL + "/token " + tt.wantProofs[i]; p != want {
					t.Errorf("proof %d is %q, want %q", i, p, want)
				}
			}
		})
	}
}

// TestProofBinderNonceOnce: a server that keeps asking for a nonce gets one
// more request, not a loop.
func TestProofBinderNonceOnce(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("DPoP-Nonce", "n-"+strconv.Itoa(int(n.Load())))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":"use_dpop_nonce"}`)
	}))
	defer srv.Close()
	_, err := RequestToken(context.Background(), &TokenRequest{URL: srv.URL, ProofBinder: &fakeBinder{},
		Params: url.Values{"grant_type": {"refresh_token"}}})
	var e *Error
	if !errors.As(err, &e) || e.Code != "use_dpop_nonce" || n.Load() != 2 {
		t.Fatalf("error %v after %d requests, want use_dpop_nonce after 2", err, n.Load())
	}
}

// TestProofBinderThroughFlowAndCredentials: the binder of a Config reaches
// the exchange and the resulting credentials' refreshes; revocation carries
// no proof.
func TestProofBinderThroughFlowAndCredentials(t *testing.T) {
	t.Parallel()
	rec := newRecorder(t)
	rec.tokenType = "DPoP"
	binder := &fakeBinder{}
	f, err := NewFlow(Config{ClientID: "cid", ProofBinder: binder, InsecureSkipPKCE: true,
		Endpoint: Endpoint{AuthURL: rec.URL + "/auth", TokenURL: rec.URL + "/token", RevocationURL: rec.URL + "/revoke"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	creds, err := f.Exchange(ctx, "code")
	if err != nil {
		t.Fatal(err)
	}
	if creds.CurrentToken().TokenType != "DPoP" {
		t.Fatalf("token type %q", creds.CurrentToken().TokenType)
	}
	creds = creds.WithConfig(creds.Config()) // the binder is carried in CredentialsConfig
	if _, err := creds.Refresh(ctx); err == nil {
		t.Fatal("refresh without a refresh token succeeded")
	}
	c2 := NewCredentials(creds.Config(), &Token{AccessToken: "old", RefreshToken: "rt"})
	if _, err := c2.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c2.Revoke(ctx); err != nil {
		t.Fatal(err)
	}
	reqs := rec.requests()
	if len(reqs) != 3 || reqs[0].dpop == "" || reqs[1].dpop == "" || reqs[2].path != "/revoke" || reqs[2].dpop != "" {
		t.Errorf("requests %+v: want proofs on the two token requests only", reqs)
	}
}
