package browsertest_test

import (
	"context"
	"io"
	"testing"

	"github.com/oauth2client/oauth2client/internal/browsertest"
	"github.com/oauth2client/oauth2client/tools"
)

// A command-line sign-in whose browser is Chromium, approved on oauth2test's
// consent page. (Not run as an example: it needs a *testing.T.)
func Example() {
	var t *testing.T             // the test's
	flow := newOAuth2TestFlow(t) // oauth2test without AutoApprove, a public client

	b := browsertest.Start(t)
	tab := b.NewTab(t)
	urls := make(chan string, 1)
	go tools.RunFlow(context.Background(), flow, nil, "", &tools.Options{
		OpenBrowser: func(u string) error { urls <- u; return nil },
		Stderr:      io.Discard,
	})
	tab.Navigate(<-urls)
	browsertest.ApproveOAuth2Test(tab, "bob")
	tab.WaitText(tools.SuccessPage)
}
