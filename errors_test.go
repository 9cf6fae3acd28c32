package oauth2client

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestErrorTemporary(t *testing.T) {
	tests := []struct {
		name string
		err  *Error
		want bool
	}{
		{"network failure", &Error{Err: errors.New("connection refused")}, true},
		{"cancelled by the caller", &Error{Err: fmt.Errorf("post request: %w", context.Canceled)}, false},
		{"deadline", &Error{Err: fmt.Errorf("post request: %w", context.DeadlineExceeded)}, true},
		{"malformed body", &Error{StatusCode: 0, Err: ErrMalformedResponse}, false},
		{"503", &Error{StatusCode: 503}, true},
		{"429", &Error{StatusCode: 429}, true},
		{"400 invalid_grant", &Error{StatusCode: 400, Code: "invalid_grant"}, false},
		{"400 temporarily_unavailable", &Error{StatusCode: 400, Code: "temporarily_unavailable"}, true},
		{"401 no code", &Error{StatusCode: 401}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Temporary(); got != tt.want {
				t.Errorf("Temporary() = %t, want %t", got, tt.want)
			}
		})
	}
}
