package serviceaccount

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/jose"
	"github.com/oauth2client/oauth2client/oauth2test"
)

// TestIDTokenSourceFaults: the ID token source against oauth2test's token
// endpoint answering badly. A transient failure is retried; every other
// one is an *oauth2client.Error, or wraps oauth2client.ErrMalformedResponse
// for a 200 without a usable id_token, and quotes neither the assertion
// nor a token.
func TestIDTokenSourceFaults(t *testing.T) {
	t.Parallel()
	noExp, err := jose.Sign(testRSAKey(), "k", "JWT", map[string]any{"aud": "a"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		fault    oauth2test.Fault
		wantOK   bool
		wantCode string // the *oauth2client.Error's OAuth error code
		wantErr  error
	}{
		{name: "503 once", fault: oauth2test.Fault{Count: 1, Status: http.StatusServiceUnavailable}, wantOK: true},
		{name: "invalid_grant", fault: oauth2test.Fault{Error: "invalid_grant"}, wantCode: "invalid_grant"},
		{name: "truncated JSON", fault: oauth2test.Fault{Malformed: true}, wantErr: oauth2client.ErrMalformedResponse},
		{name: "oversized", fault: oauth2test.Fault{Oversized: true}},
		{name: "HTML 502", fault: oauth2test.Fault{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"}},
		{name: "access token instead", fault: oauth2test.Fault{Body: `{"access_token":"at-x","token_type":"Bearer"}`, ContentType: "application/json"},
			wantErr: oauth2client.ErrMalformedResponse},
		{name: "id token without exp", fault: oauth2test.Fault{Body: `{"id_token":"` + noExp + `"}`, ContentType: "application/json"},
			wantErr: oauth2client.ErrMalformedResponse},
	}
	var recovered, failed, served atomic.Int64
	t.Cleanup(func() {
		t.Logf("reliability: ID token source faults: %d cases, %d failed as expected, %d recovered, %d token requests served",
			len(tests), failed.Load(), recovered.Load(), served.Load())
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := oauth2test.NewServer(&oauth2test.Options{SigningKey: testRSAKey()})
			t.Cleanup(srv.Close)
			k := testKey(t, srv.URL+oauth2test.PathToken)
			if err := srv.AddServiceAccountKey(k.Email(), k.KeyID(), k.Public()); err != nil {
				t.Fatal(err)
			}
			tc.fault.GrantType = GrantType
			srv.InjectFault(tc.fault)
			src, err := NewIDTokenSource(k, "https://svc.example", &Config{HTTPClient: srv.Client()})
			if err != nil {
				t.Fatal(err)
			}
			tok, err := src.Token(context.Background())
			served.Add(int64(srv.TokenRequests(GrantType)))
			if tc.wantOK {
				if err != nil || tok.IDToken == "" {
					t.Fatalf("Token: %v", err)
				}
				recovered.Add(1)
				return
			}
			var e *oauth2client.Error
			switch {
			case err == nil:
				t.Fatal("Token succeeded")
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("Token = %v, want %v", err, tc.wantErr)
			case tc.wantErr == nil && !errors.As(err, &e):
				t.Errorf("Token = %v (%T), want an *oauth2client.Error", err, err)
			case e != nil && e.Code != tc.wantCode:
				t.Errorf("Token = %v (code %q), want code %q", err, e.Code, tc.wantCode)
			}
			if msg := err.Error(); strings.Contains(msg, "eyJ") || strings.Contains(msg, "at-x") || strings.Contains(msg, "<html") {
				t.Errorf("error quotes a token or the body: %q", msg)
			}
			failed.Add(1)
		})
	}
}
