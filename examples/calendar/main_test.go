package main

import (
	"context"
	"os"
)

func Example() {
	if err := run(context.Background(), os.Stdout); err != nil {
		panic(err)
	}
	// Output:
	// with an *http.Client: alice@example.com (owner, primary true)
	// through golang.org/x/oauth2: alice@example.com (owner, primary true)
	// through cloud.google.com/go/auth: alice@example.com (owner, primary true)
}
