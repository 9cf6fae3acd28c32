package store

import (
	"context"
	"errors"

	"github.com/oauth2client/oauth2client"
)

// ErrNotFound is returned by [Store.Load] for a key that holds nothing.
var ErrNotFound = errors.New("store: credentials not found")

// UpdateFunc computes the new value of an entry from its current value,
// which is nil when the key holds nothing; current is the caller's own copy,
// which fn may change and return. Returning (nil, nil) leaves the entry as
// it is; returning an error leaves it as it is and makes Update return that
// error. It must not call the store it is running in.
type UpdateFunc = func(current *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error)

// Store keeps credentials under string keys, as plain
// [oauth2client.CredentialsState]: reading a store starts nothing.
// Implementations are safe for concurrent use by goroutines and, where the
// medium is shared (files, databases), by processes and machines.
//
// States a Store returns are new values read from the medium; make live
// credentials of them with [oauth2client.CredentialsState.Credentials], or
// bound to the store with [Bind].
type Store interface {
	// Load returns the credentials stored under key, or ErrNotFound.
	Load(ctx context.Context, key string) (*oauth2client.CredentialsState, error)
	// Save stores st under key, replacing what was there. It does not take
	// the key's refresh lock.
	Save(ctx context.Context, key string, st *oauth2client.CredentialsState) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the stored keys in sorted order.
	List(ctx context.Context) ([]string, error)
	// Update runs fn on the entry under an exclusive lock that holds across
	// threads, processes and (for shared databases) machines, and stores
	// what fn returns: an atomic read-modify-write. See [UpdateFunc].
	Update(ctx context.Context, key string, fn UpdateFunc) error
	// LockRefresh takes the refresh lock of key: an exclusive lock, per
	// key, held by a bound refresh across its token request, which
	// excludes the refreshes of that key by every holder of the store
	// (goroutines, processes and, for shared databases, machines) but no
	// other operation. It returns the function that releases it; waiting
	// honours ctx. Key need not hold anything.
	LockRefresh(ctx context.Context, key string) (unlock func(), err error)
	// Close releases the store's resources.
	Close() error
}
