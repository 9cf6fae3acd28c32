package oauth2client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// hookStore is a CredentialsStore holding one entry, which calls before
// ahead of each Update's fn and records what fn returns.
type hookStore struct {
	cur     *CredentialsState
	before  func()
	writes  int
	deletes int
}

func (s *hookStore) LockRefresh(ctx context.Context, key string) (func(), error) {
	return func() {}, nil
}

func (s *hookStore) Update(ctx context.Context, key string, fn func(*CredentialsState) (*CredentialsState, error)) error {
	if s.before != nil {
		s.before()
	}
	n, err := fn(s.cur)
	if err != nil {
		return err
	}
	if n != nil {
		s.cur = n
		s.writes++
	}
	return nil
}

func (s *hookStore) Delete(ctx context.Context, key string) error {
	s.cur = nil
	s.deletes++
	return nil
}

// TestRefreshStoredWritesOnlyInvalidGrant checks that a bound refresh
// stores the credentials as invalid after invalid_grant, but does not write
// an entry back when the credentials were revoked (and their entry deleted)
// before the refresh reached the store.
func TestRefreshStoredWritesOnlyInvalidGrant(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_grant"}`))
	}))
	defer srv.Close()
	cases := []struct {
		name       string
		revoked    bool // marked invalid (as Revoke does) before fn runs
		wantErr    error
		wantWrites int
	}{
		{"invalid_grant is stored", false, ErrInvalidGrant, 1},
		{"revoked meanwhile writes nothing", true, ErrInvalidCredentials, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st := &hookStore{cur: &CredentialsState{ClientID: "cid", Token: &Token{RefreshToken: "r"}}}
			c := NewCredentials(CredentialsConfig{
				ClientID: "cid", TokenURI: srv.URL, HTTPClient: srv.Client(),
				Store: st, StoreKey: "k",
			}, &Token{RefreshToken: "r"})
			if tc.revoked {
				st.before = c.markInvalid
			}
			_, err := c.Refresh(context.Background())
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Refresh error = %v, want %v", err, tc.wantErr)
			}
			if st.writes != tc.wantWrites {
				t.Errorf("store writes = %d, want %d", st.writes, tc.wantWrites)
			}
			if st.writes > 0 && !st.cur.Invalid {
				t.Error("stored credentials are not marked invalid")
			}
		})
	}
}

// TestRefreshKeepsExtensionsWrittenMeanwhile: between binding and a
// refresh, another holder of the store changed an extension field of the
// entry (a web app recording a new session) and added one: the refresh's
// write keeps both as stored, not as these credentials read them.
func TestRefreshKeepsExtensionsWrittenMeanwhile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"access_token":"a2","token_type":"Bearer","expires_in":3600}`))
	}))
	defer srv.Close()
	read := &CredentialsState{ClientID: "cid", TokenURI: srv.URL, Token: &Token{AccessToken: "a1", RefreshToken: "r"},
		Extensions: map[string]json.RawMessage{"web_sessions": json.RawMessage(`["s1"]`)}}
	st := &hookStore{cur: read.Clone()}
	c := read.Credentials(CredentialsConfig{HTTPClient: srv.Client(), Store: st, StoreKey: "k"})
	st.cur.Extensions["web_sessions"] = json.RawMessage(`["s1","s2"]`)
	st.cur.Extensions["other"] = json.RawMessage(`true`)

	if _, err := c.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st.writes != 1 || st.cur.Token.AccessToken != "a2" {
		t.Fatalf("writes %d, stored token %+v", st.writes, st.cur.Token)
	}
	if got := string(st.cur.Extensions["web_sessions"]); got != `["s1","s2"]` {
		t.Errorf("web_sessions after the refresh = %s, want the value written meanwhile", got)
	}
	if got := string(st.cur.Extensions["other"]); got != "true" {
		t.Errorf("a field added meanwhile = %q after the refresh", got)
	}
}
