package oauthhttp

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry is the retry policy of a request. Its zero value makes one try.
type Retry struct {
	// Max is the number of retries after the first try.
	Max int
	// Backoff is the wait before the first retry, doubled for each next
	// one; each wait is drawn at random between half and all of it.
	Backoff time.Duration
	// MaxWait caps one wait. A Retry-After asking for longer ends the
	// retries: the answer is returned as it is.
	MaxWait time.Duration
	// BeforeSendOnly allows a retry only after a failure to connect, when
	// nothing can have reached the server: for requests that must not be
	// sent twice, such as the exchange of a one-time authorization code.
	BeforeSendOnly bool
	// Sleep waits d, or less when ctx is done, returning ctx's error then;
	// nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock that Retry-After dates are read against; nil means
	// time.Now.
	Now func() time.Time
}

// maxRetryAfter bounds the Retry-After value that is parsed, so that the
// duration arithmetic cannot overflow.
const maxRetryAfter = 24 * time.Hour

// backoff returns the jittered wait before retry number n (1 for the first).
func (p *Retry) backoff(n int) time.Duration {
	d := p.Backoff
	for i := 1; i < n && d < p.MaxWait; i++ {
		d *= 2
	}
	if p.MaxWait > 0 {
		d = min(d, p.MaxWait)
	}
	if d <= 1 {
		return max(d, 0)
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// sleep waits d under p, or until ctx is done.
func (p *Retry) sleep(ctx context.Context, d time.Duration) error { return Sleep(ctx, d, p.Sleep) }

// Sleep waits d with sleep, or with a timer when sleep is nil, and returns
// ctx's error when ctx is done first (or when sleep returns).
func Sleep(ctx context.Context, d time.Duration, sleep func(context.Context, time.Duration) error) error {
	if sleep != nil {
		if err := sleep(ctx, d); err != nil {
			return err
		}
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// now reads p's clock.
func (p *Retry) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// retryableStatus reports whether an HTTP status asks for a later try:
// 429 Too Many Requests and the 5xx server errors.
func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || (code >= 500 && code <= 599)
}

// ParseRetryAfter reads a Retry-After header value (RFC 9110 §10.2.3): a
// number of seconds or an HTTP date, read against now. It reports false
// for an absent or unreadable value; a date in the past is a zero wait.
// Values beyond a day are read as a day.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return 0, false
			}
			return maxRetryAfter, true
		}
		if n > uint64(maxRetryAfter/time.Second) {
			return maxRetryAfter, true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	switch {
	case d < 0:
		return 0, true
	case d > maxRetryAfter:
		return maxRetryAfter, true
	}
	return d, true
}
