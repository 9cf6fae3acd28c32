package main

import (
	"context"
	"io"
	"path/filepath"
	"testing"
)

// startApp runs the sample as `webapp ARGS --addr 127.0.0.1:0 --store
// sqlite:TEMP` does until t ends, and returns its URL. Environment
// variables the flags read (WEBAPP_CLIENT_SECRET) are set by the caller.
func startApp(t *testing.T, args ...string) string {
	t.Helper()
	t.Setenv("NO_GCE_CHECK", "true")
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	store := "sqlite:" + filepath.Join(t.TempDir(), "webapp.db")
	args = append(args, "--addr", "127.0.0.1:0", "--store", store)
	go func() {
		done <- run(ctx, args, io.Discard, func(u string) { ready <- u })
	}()
	select {
	case base := <-ready:
		t.Cleanup(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("webapp: %v", err)
			}
		})
		return base
	case err := <-done:
		cancel()
		t.Fatalf("webapp %q: %v", args, err)
	}
	return ""
}
