package safefile

import (
	"context"
	"time"
)

// firstWait is how long Poll first waits between tries.
const firstWait = 2 * time.Millisecond

// Poll calls try until it reports success or an error, and returns that
// error (nil on success), or ctx.Err() when ctx ends first. It waits
// between tries 2 ms at first, then twice as long each time, up to
// maxWait (2 ms when maxWait is not positive). try runs at least once, even when ctx is already done. It is
// how the lock files are waited for: try takes a non-blocking lock and
// reports false while another process holds it.
func Poll(ctx context.Context, maxWait time.Duration, try func() (bool, error)) error {
	if maxWait <= 0 {
		maxWait = firstWait
	}
	wait := min(firstWait, maxWait)
	var t *time.Timer
	for {
		ok, err := try()
		if ok || err != nil {
			return err
		}
		if t == nil {
			t = time.NewTimer(wait)
			defer t.Stop()
		} else {
			t.Reset(wait)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, maxWait)
	}
}
