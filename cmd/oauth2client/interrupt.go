package main

import (
	"context"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// interruptContext is the commands' context: canceled by the first SIGINT
// or SIGTERM, as signal.NotifyContext's is. It asks to be notified of the
// signals only when something first waits on it (Done: a network request,
// a lock wait, login's wait for the browser), so that a command that never
// waits, such as token with a fresh stored token, does not start the
// signal goroutine and its threads (about 5% of that command's time).
// Until then the signals keep their default action: they end the process,
// which then held no lock and had begun no write.
type interruptContext struct {
	once  sync.Once
	inner atomic.Pointer[context.Context] // nil until the first Done
	stopN context.CancelFunc
}

var _ context.Context = (*interruptContext)(nil)

// started returns the signal context, making it on first use.
func (c *interruptContext) started() context.Context {
	c.once.Do(func() {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		c.stopN = stop
		c.inner.Store(&ctx)
	})
	return *c.inner.Load()
}

// Deadline implements context.Context: there is none.
func (c *interruptContext) Deadline() (time.Time, bool) { return time.Time{}, false }

// Done implements context.Context; it starts listening for the signals.
func (c *interruptContext) Done() <-chan struct{} { return c.started().Done() }

// Err implements context.Context: nil until a signal came.
func (c *interruptContext) Err() error {
	if p := c.inner.Load(); p != nil {
		return (*p).Err()
	}
	return nil
}

// Value implements context.Context. Once started it is the signal
// context's, so that contexts derived from c find its cancelation without
// a goroutine of their own.
func (c *interruptContext) Value(key any) any {
	if p := c.inner.Load(); p != nil {
		return (*p).Value(key)
	}
	return nil
}

// stop stops listening for the signals, if it started.
func (c *interruptContext) stop() {
	if c.inner.Load() != nil {
		c.stopN()
	}
}

// unwatched returns ctx for a local operation that would otherwise start
// listening for the signals just by asking for ctx's Done channel: while
// ctx is an interruptContext that does not listen yet, a signal ends the
// process, so the operation needs no cancelation and gets ctx without it.
// Any other context is returned as it is.
func unwatched(ctx context.Context) context.Context {
	if c, ok := ctx.(*interruptContext); ok && c.inner.Load() == nil {
		return context.WithoutCancel(ctx)
	}
	return ctx
}
