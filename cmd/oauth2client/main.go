// Command oauth2client obtains, stores and uses OAuth 2.0 credentials, and
// runs a local authorization server for tests. Run "oauth2client help" for
// its commands.
package main

import (
	"os"
)

func main() {
	ctx := new(interruptContext)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	ctx.stop()
	os.Exit(code)
}
