package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oauth2client/oauth2client/internal/syncbuf"
)

// DefaultPath is where Debian's chromium package installs the browser.
const DefaultPath = "/usr/bin/chromium"

// EnvPath names the environment variable that overrides [DefaultPath].
const EnvPath = "CHROMIUM"

// DefaultTimeout bounds each action of a [Tab] unless [Browser.Timeout] says
// otherwise: generous for a loaded two-core machine, short enough for a
// hung page to fail the test within seconds.
const DefaultTimeout = 20 * time.Second

// startTimeout bounds the browser's start, until its first tab answers.
const startTimeout = 60 * time.Second

// stopTimeout bounds the graceful close of the browser.
const stopTimeout = 10 * time.Second

// flags are the browser's command-line switches besides --headless and
// --user-data-dir (DESIGN.md, "Tests and real components"): no sandbox (the
// tests run as root in containers), no GPU, and no traffic of the browser's
// own (first-run pages, component and extension updates, sync, QUIC probes),
// so that it talks only to the test's servers.
var flags = []string{
	"no-sandbox",
	"disable-gpu",
	"no-first-run",
	"disable-background-networking",
	"disable-component-update",
	"disable-sync",
	"disable-quic",
}

// Browser is a headless Chromium running for one test. Its tabs share one
// cookie jar, unless made by [Browser.NewIsolatedTab].
type Browser struct {
	// Timeout bounds each action of the browser's tabs: a navigation, a
	// click, a wait. Start sets it to DefaultTimeout. Tabs read it at each
	// action: do not change it while tabs are used in other goroutines.
	Timeout time.Duration

	t       testing.TB
	ctx     context.Context // the browser's root chromedp context
	dataDir string          // the profile, under t.TempDir()
	output  *syncbuf.Buffer // the browser's stdout and stderr, the first 64 KiB

	mu    sync.Mutex // guards the fields below
	tabs  int        // tabs opened so far, to number them
	shots int        // screenshots taken so far, to name them
}

// Start starts a headless Chromium for the lifetime of t and returns it once
// it answers. The browser is [DefaultPath] or the path in the environment
// variable CHROMIUM. When it is missing, Start skips t, or fails it when CI
// is "true". t's cleanups close the browser and kill any process it left.
func Start(t testing.TB) *Browser {
	t.Helper()
	path, missing := locate()
	if missing != "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("browsertest: " + missing)
		}
		t.Skip("browsertest: " + missing)
	}
	tmp := t.TempDir()
	b := &Browser{
		Timeout: DefaultTimeout,
		t:       t,
		dataDir: filepath.Join(tmp, "profile"),
		output:  &syncbuf.Buffer{Max: 64 << 10},
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.UserDataDir(b.dataDir),
		chromedp.CombinedOutput(b.output),
		// What Chromium keeps outside the profile (its crash reports
		// database) stays in the test's folder too, not in $HOME.
		chromedp.Env("XDG_CONFIG_HOME="+filepath.Join(tmp, "config"), "XDG_CACHE_HOME="+filepath.Join(tmp, "cache")),
	}
	for _, f := range flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b.ctx = ctx
	t.Cleanup(func() { b.stop(cancel, cancelAlloc) })

	if err := firstRun(ctx, startTimeout); err != nil {
		cancel()
		t.Fatalf("browsertest: starting %s: %v\nbrowser output:\n%s", path, err, quiet(b.output.String()))
	}
	return b
}

// firstRun makes the first Run on the chromedp context ctx, which starts
// its browser or opens its tab. That Run binds the browser's or tab's life
// to its context, so it gets ctx itself, and the wait is bounded here.
func firstRun(ctx context.Context, timeout time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		return fmt.Errorf("no answer within %v", timeout)
	}
}

// locate returns the browser's path, or says what is missing and how to
// fix it.
func locate() (path, missing string) {
	path = os.Getenv(EnvPath)
	from := "$" + EnvPath
	if path == "" {
		path, from = DefaultPath, "the default path"
	}
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", fmt.Sprintf("chromium not found at %s (%s): install Debian's chromium package (apt-get install chromium), or set %s to a Chromium or Chrome binary", path, from, EnvPath)
	case err != nil:
		return "", fmt.Sprintf("chromium at %s (%s): %v", path, from, err)
	case fi.IsDir() || fi.Mode().Perm()&0o111 == 0:
		return "", fmt.Sprintf("chromium at %s (%s) is not an executable file", path, from)
	}
	return path, ""
}

// stop closes the browser gracefully (or kills it), then kills any of its
// processes still running, so that nothing writes into the profile while
// t.TempDir's cleanup removes it.
func (b *Browser) stop(cancel, cancelAlloc context.CancelFunc) {
	ctx, cancelStop := context.WithTimeout(b.ctx, stopTimeout)
	err := chromedp.Cancel(ctx)
	cancelStop()
	cancel()
	cancelAlloc()
	if err != nil && !errors.Is(err, context.Canceled) {
		b.t.Logf("browsertest: closing the browser: %v", err)
	}
	if n := killLeftovers(b.dataDir); n > 0 {
		b.t.Logf("browsertest: killed %d browser processes still running after the browser closed", n)
	}
	if b.t.Failed() {
		b.t.Logf("browsertest: browser output:\n%s", quiet(b.output.String()))
	}
}
