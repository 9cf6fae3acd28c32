package oauthhttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestJSONAndPlainHTTP: a JSON body is POSTed as application/json, and
// MetadataServer lets plain http reach a metadata host, and no other host
// that is not loopback.
func TestJSONAndPlainHTTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		req       Request
		wantSetup bool
		wantCT    string
		wantBody  string
	}{
		{name: "JSON body", req: Request{URL: "https://example.test/x", JSON: []byte(`{"a":1}`)},
			wantCT: "application/json", wantBody: `{"a":1}`},
		{name: "http to a link-local host refused", req: Request{URL: "http://169.254.169.254/"}, wantSetup: true},
		{name: "http to a link-local host with MetadataServer", req: Request{URL: "http://169.254.169.254/", MetadataServer: true}},
		{name: "http to metadata.google.internal with MetadataServer", req: Request{URL: "http://metadata.google.internal/", MetadataServer: true}},
		{name: "MetadataServer: no plain http to another host", req: Request{URL: "http://metadata.attacker.example/", MetadataServer: true}, wantSetup: true},
		{name: "MetadataServer: no plain http to a private address", req: Request{URL: "http://10.1.2.3/", MetadataServer: true}, wantSetup: true},
		{name: "MetadataServer keeps other checks", req: Request{URL: "http://u:p@169.254.169.254/", MetadataServer: true}, wantSetup: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var gotCT, gotBody, gotMethod string
			tt.req.Client = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				gotMethod, gotCT = r.Method, r.Header.Get("Content-Type")
				if r.Body != nil {
					b, _ := io.ReadAll(r.Body)
					gotBody = string(b)
				}
				return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}"))}, nil
			})}
			_, err := Do(context.Background(), &tt.req)
			var setup *SetupError
			if errors.As(err, &setup) != tt.wantSetup {
				t.Fatalf("err = %v, want setup error %v", err, tt.wantSetup)
			}
			if tt.wantSetup {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantCT != "" && (gotMethod != http.MethodPost || gotCT != tt.wantCT || gotBody != tt.wantBody) {
				t.Errorf("sent %s %q %q", gotMethod, gotCT, gotBody)
			}
		})
	}
}
