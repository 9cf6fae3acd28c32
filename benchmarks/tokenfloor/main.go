// Command tokenfloor is the floor of 'oauth2client token': the core of its
// work for stored user credentials (read the client secrets, derive the
// store key, open the store, bind, refresh when due, print the access
// token) built from the same packages, in a program that links nothing
// else. It leaves out what token adds around that core, each a few tens of
// microseconds at most: the store spec's parsing and existence check, the
// client id check, the ID token verifier and client authentication
// settings, the logger and the interrupt handling.
//
// scripts/bench-cli.sh times it beside the oauth2client binary and a Go
// hello world, so that the cost of the command's other features (the
// commands, stores and servers it also links) and the cost of the work
// itself can be told apart. Built with -tags sqlite it also opens
// sqlite:PATH stores through package store/sqlstore/sqlite, and links what
// that package links.
//
// Usage:
//
//	tokenfloor --client-secrets FILE --scope SCOPES --store file:PATH
//	tokenfloor --client-secrets FILE --scope SCOPES --store sqlite:PATH   (-tags sqlite)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/file"
)

// openers open a store by the kind before the colon of --store; sqlite.go
// adds "sqlite" when built with -tags sqlite.
var openers = map[string]func(ctx context.Context, path string) (store.Store, error){
	"file": func(ctx context.Context, path string) (store.Store, error) {
		return file.OpenAuto(ctx, path, nil)
	},
}

func main() {
	if err := run(context.Background(), os.Stdout, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "tokenfloor:", err)
		os.Exit(1)
	}
}

// run is the program, printing the token on stdout.
func run(ctx context.Context, stdout io.Writer, args []string) error {
	fs := flag.NewFlagSet("tokenfloor", flag.ContinueOnError)
	secrets := fs.String("client-secrets", "", "the client's client_secrets.json `FILE`")
	scope := fs.String("scope", "", "the `SCOPES` the credentials were stored under, space-separated")
	spec := fs.String("store", "", "the store: file:PATH, or sqlite:PATH when built with -tags sqlite")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	kind, path, _ := strings.Cut(*spec, ":")
	open := openers[kind]
	if open == nil || path == "" {
		return fmt.Errorf("--store %q: want file:PATH (or sqlite:PATH with -tags sqlite)", *spec)
	}
	if *secrets == "" {
		return errors.New("--client-secrets is required")
	}
	cs, err := oauth2client.LoadClientSecrets(*secrets)
	if err != nil {
		return err
	}
	scopes := strings.Fields(*scope)
	slices.Sort(scopes)
	s, err := open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()
	c, err := store.Bind(ctx, s, store.ClassicKey(cs.ClientID, "", slices.Compact(scopes)),
		&store.BindOptions{Cache: oauth2client.CacheOptions{Foreground: true}})
	if err != nil {
		return err
	}
	tok, err := c.Token(ctx)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(stdout, tok.AccessToken)
	return err
}
