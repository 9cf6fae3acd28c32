//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

// TestInterruptContext: the commands' context listens for SIGINT only
// once something waits on it, and then is canceled by it, as are the
// contexts derived from it; stop without a wait does nothing.
func TestInterruptContext(t *testing.T) {
	idle := new(interruptContext)
	if idle.Err() != nil || idle.Value("k") != nil || idle.inner.Load() != nil {
		t.Fatalf("fresh context: Err %v, started %t; want nil, false", idle.Err(), idle.inner.Load() != nil)
	}
	if _, ok := idle.Deadline(); ok {
		t.Error("Deadline: want none")
	}
	idle.stop() // never started: nothing to stop

	ctx := new(interruptContext)
	defer ctx.stop()
	child, cancel := context.WithTimeout(ctx, time.Hour) // waits on ctx: starts it
	defer cancel()
	if ctx.inner.Load() == nil {
		t.Fatal("a derived context did not start listening")
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-child.Done():
	case <-time.After(time.Minute): // a bound, not a timing assertion
		t.Fatal("SIGINT did not cancel the derived context")
	}
	if !errors.Is(ctx.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
		t.Errorf("after SIGINT: Err %v, derived %v; want context.Canceled", ctx.Err(), child.Err())
	}
}

// TestUnwatched: a local operation's context does not start listening for
// the signals; once listening, the commands' context is given as it is.
func TestUnwatched(t *testing.T) {
	ctx := new(interruptContext)
	defer ctx.stop()
	if u := unwatched(ctx); u.Done() != nil || ctx.inner.Load() != nil {
		t.Errorf("unwatched context: Done %v, listening %t; want nil, false", u.Done(), ctx.inner.Load() != nil)
	}
	ctx.Done()
	if u := unwatched(ctx); u != context.Context(ctx) {
		t.Errorf("unwatched(listening) = %v, want the context itself", u)
	}
	other := context.Background()
	if unwatched(other) != other {
		t.Error("unwatched changed another context")
	}
}
