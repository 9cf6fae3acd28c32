package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/oauth2client/oauth2client/oauth2test"
)

func TestVerifyIDToken(t *testing.T) {
	t.Parallel()
	srv := oauth2test.NewServer(nil)
	t.Cleanup(srv.Close)
	raw, err := srv.MintIDToken("app", "carol", "n1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		args  []string
		stdin string
		code  int
		want  string // in stdout (code 0) or stderr
	}{
		{"verified", []string{"--issuer", srv.Issuer(), "--audience", "app", raw}, "", 0, `"sub": "carol"`},
		{"stdin", []string{"--issuer", srv.Issuer(), "--audience", "other app", "--nonce", "n1", "-"}, raw + "\n", 0, `"email": "carol@example.com"`},
		{"wrong audience", []string{"--issuer", srv.Issuer(), "--audience", "other", raw}, "", 1, "rejected: idtoken: wrong audience"},
		{"wrong nonce", []string{"--issuer", srv.Issuer(), "--audience", "app", "--nonce", "n2", raw}, "", 1, "nonce mismatch"},
		{"forged", []string{"--issuer", srv.Issuer(), "--audience", "app", raw[:len(raw)-4] + "AAAA"}, "", 1, "bad signature"},
		{"garbage", []string{"--issuer", srv.Issuer(), "--audience", "app", "not-a-token"}, "", 1, "malformed"},
		{"no audience", []string{"--issuer", srv.Issuer(), raw}, "", 2, "--audience is required"},
		{"no token", []string{"--audience", "app"}, "", 2, "want one TOKEN"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr strings.Builder
			code := run(t.Context(), append([]string{"verify-id-token"}, tc.args...), strings.NewReader(tc.stdin), &stdout, &stderr)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, stderr.String())
			}
			out := stdout.String()
			if code != 0 {
				out = stderr.String()
				if strings.Contains(out, raw[len(raw)-20:]) {
					t.Errorf("stderr quotes the token: %q", out)
				}
			} else {
				var m map[string]any
				if err := json.Unmarshal([]byte(out), &m); err != nil {
					t.Errorf("stdout is not JSON: %v", err)
				}
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output %q lacks %q", out, tc.want)
			}
		})
	}
}
