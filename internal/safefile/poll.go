package safefile

import (
	"context"
	"time"
)

// Poll calls try until it reports success or an error, and returns that
// error (nil on success), or ctx.Err() when ctx ends first. It waits
// first between tries, then twice as long each time, up to maxWait (at
// least first; first must be positive). try runs at least once, even when
// ctx is already done. It is how locks held by other processes are waited
// for: try takes a non-blocking lock and reports false while another
// holds it.
func Poll(ctx context.Context, first, maxWait time.Duration, try func() (bool, error)) error {
	wait := first
	maxWait = max(maxWait, first)
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
