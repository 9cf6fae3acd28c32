package spec_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store/spec"
)

// Open takes the same store specs as the command line's --store flag.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "spec-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	for _, sp := range []string{"file:" + filepath.Join(dir, "creds.json"), "sqlite:" + filepath.Join(dir, "creds.db")} {
		s, err := spec.Open(ctx, sp)
		if err != nil {
			log.Fatal(err)
		}
		creds := oauth2client.NewAccessTokenCredentials("token", "")
		if err := s.Save(ctx, "alice", creds.State()); err != nil {
			log.Fatal(err)
		}
		keys, _ := s.List(ctx)
		fmt.Println(keys)
		s.Close()
	}
	// Passwords never show when a spec is printed.
	p, _ := spec.Parse("postgres://app:hunter2@127.0.0.1:5432/creds")
	fmt.Println(p)
	// Output:
	// [alice]
	// [alice]
	// postgres://app:xxxxx@127.0.0.1:5432/creds
}
