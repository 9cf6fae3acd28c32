package oauth2client

import (
	"errors"
	"testing"
)

func FuzzPushAnswer(f *testing.F) {
	for _, s := range []string{`{"request_uri":"urn:ietf:params:oauth:request_uri:abc","expires_in":60}`,
		`{}`, `null`, `[]`, `{"request_uri":1,"expires_in":60}`, `{"request_uri":"u","expires_in":-1}`, `{"request_uri":"u","expires_in":1.5}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		uri, err := parsePushAnswer(data)
		if err != nil {
			if uri != "" || !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("parsePushAnswer = %q, %v", uri, err)
			}
			return
		}
		if uri == "" || len(uri) > maxRequestURI {
			t.Fatalf("accepted request_uri of %d bytes", len(uri))
		}
	})
}

func FuzzUserInfo(f *testing.F) {
	for _, s := range []string{`{"sub":"alice","email":"a@example.com"}`, `{}`, `null`, `[]`, `{"sub":1}`, `{"sub":""}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		claims, err := parseUserInfo(data)
		if err != nil {
			if claims != nil || !errors.Is(err, ErrMalformedResponse) {
				t.Fatalf("parseUserInfo = %v, %v", claims, err)
			}
			return
		}
		if sub, _ := claims["sub"].(string); sub == "" {
			t.Fatalf("accepted claims without a sub: %v", claims)
		}
	})
}
