package browsertest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// screenshotTimeout bounds the screenshot of a failed test's tab.
const screenshotTimeout = 10 * time.Second

// Screenshot saves a full-page PNG of the tab in the test's artifact folder
// (t.ArtifactDir, kept by go test -artifacts, else a temporary folder),
// logs where, and returns the file's path. A failed test does it for each
// open tab by itself.
func (tab *Tab) Screenshot() string {
	tab.t.Helper()
	path, err := tab.screenshot()
	if err != nil {
		tab.fatalf("%v", err)
	}
	return path
}

// saveScreenshot saves a screenshot of a failed test's tab and logs it with
// the page's address and text, or logs why it could not.
func (tab *Tab) saveScreenshot() {
	t := tab.t
	path, err := tab.screenshot()
	if err != nil {
		t.Logf("browsertest: %s: no screenshot: %v", tab.name, err)
		return
	}
	ctx, cancel := context.WithTimeout(tab.ctx, screenshotTimeout)
	defer cancel()
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](pageTextJS))
	t.Logf("browsertest: %s at the failure: %s\nscreenshot: %s\npage text:\n%s", tab.name, tab.where(), path, urlpolicy.Clip(strings.TrimSpace(text), 2000))
}

// screenshot writes a full-page PNG of the tab and returns its path.
func (tab *Tab) screenshot() (string, error) {
	ctx, cancel := context.WithTimeout(tab.ctx, screenshotTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return "", fmt.Errorf("taking a screenshot: %w", err)
	}
	tab.b.mu.Lock()
	tab.b.shots++
	name := fmt.Sprintf("browsertest-%s-%d.png", strings.ReplaceAll(tab.name, " ", ""), tab.b.shots)
	tab.b.mu.Unlock()
	path := filepath.Join(tab.t.ArtifactDir(), name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("saving the screenshot: %w", err)
	}
	return path, nil
}
