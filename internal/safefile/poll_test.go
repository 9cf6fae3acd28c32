package safefile

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestPoll(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name      string
		ctx       context.Context
		okAt      int   // the try that succeeds; 0 for none
		errAt     int   // the try that fails; 0 for none
		wantErr   error // nil for success
		wantTries int
	}{
		{"at once", context.Background(), 1, 0, nil, 1},
		{"after some tries", context.Background(), 4, 0, nil, 4},
		{"try fails", context.Background(), 0, 3, boom, 3},
		{"context done: one try", done, 0, 0, context.Canceled, 1},
		{"context done, try succeeds", done, 1, 0, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tries := 0
			err := Poll(tc.ctx, time.Millisecond, 4*time.Millisecond, func() (bool, error) {
				tries++
				if tries == tc.errAt {
					return false, boom
				}
				return tries == tc.okAt, nil
			})
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if tries != tc.wantTries {
				t.Errorf("%d tries, want %d", tries, tc.wantTries)
			}
		})
	}
}

// TestPollEndsWithContext: a try that never succeeds is abandoned when the
// context ends, with its error.
func TestPollEndsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	tries := 0
	err := Poll(ctx, time.Millisecond, 0, func() (bool, error) {
		if tries++; tries == 3 {
			cancel()
		}
		return false, nil
	})
	if !errors.Is(err, context.Canceled) || tries != 3 {
		t.Errorf("error %v after %d tries, want context.Canceled after 3", err, tries)
	}
}
