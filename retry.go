package oauth2client

import (
	"context"
	"time"

	"github.com/oauth2client/oauth2client/internal/oauthhttp"
)

// Defaults of [RetryOptions].
const (
	// DefaultRetries is how many times a token request is retried after
	// its first try.
	DefaultRetries = 2
	// DefaultRetryBackoff is the wait before the first retry; it doubles
	// for each next one, and each wait is drawn at random between half
	// and all of it.
	DefaultRetryBackoff = 500 * time.Millisecond
	// DefaultRetryMaxWait caps one wait between tries, a Retry-After
	// included.
	DefaultRetryMaxWait = 30 * time.Second
)

// RetryOptions tunes the retries of token requests: refreshes, client
// credentials and other grants through [RequestToken], and code exchanges.
// Its zero value means the defaults. Device polls ([Flow.PollDevice]) do
// not use it: their loop retries with RFC 8628's own backoff.
//
// A request is retried after an HTTP 429 or 5xx answer, or a failure to
// connect or to read the answer; never after another answer (a 400
// invalid_grant is final). The wait before a retry is a jittered
// exponential backoff, or the answer's Retry-After (seconds or an HTTP
// date) when that is longer; a Retry-After longer than MaxWait ends the
// retries and the answer is returned. So does a wait that would end past
// the context's deadline. When the caller's context ends a wait, the
// error matches ctx's error and still holds the last answer's [*Error].
//
// An authorization code is spent by the first request that reaches the
// server, so a code exchange is retried only after a failure to connect,
// when nothing was sent.
type RetryOptions struct {
	// Disable turns retries off: each request is tried once.
	Disable bool
	// Max is how many times a request is retried after its first try;
	// zero or negative means DefaultRetries.
	Max int
	// Backoff is the wait before the first retry; zero or negative means
	// DefaultRetryBackoff.
	Backoff time.Duration
	// MaxWait caps one wait; zero or negative means DefaultRetryMaxWait.
	MaxWait time.Duration
	// Sleep waits d between tries, or less when ctx is done, returning
	// ctx's error then. Nil means a timer; tests set it to return at once.
	Sleep func(ctx context.Context, d time.Duration) error
}

// policy returns the retry policy o describes, reading Retry-After dates
// against now (nil: time.Now).
func (o RetryOptions) policy(now func() time.Time) oauthhttp.Retry {
	if o.Disable {
		return oauthhttp.Retry{}
	}
	p := oauthhttp.Retry{
		Max:     DefaultRetries,
		Backoff: DefaultRetryBackoff,
		MaxWait: DefaultRetryMaxWait,
		Sleep:   o.Sleep,
		Now:     now,
	}
	if o.Max > 0 {
		p.Max = o.Max
	}
	if o.Backoff > 0 {
		p.Backoff = o.Backoff
	}
	if o.MaxWait > 0 {
		p.MaxWait = o.MaxWait
	}
	return p
}
