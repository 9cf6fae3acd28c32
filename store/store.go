package store

import (
	"context"
	"errors"

	"github.com/oauth2client/oauth2client"
)

// ErrNotFound is returned by [Store.Load] for a key that holds nothing.
var ErrNotFound = errors.New("store: credentials not found")

// UpdateFunc computes the new value of an entry from its current value,
// which is nil when the key holds nothing. Returning (nil, nil) leaves the
// entry as it is; returning an error leaves it as it is and makes Update
// return that error. It must not call the store it is running in.
type UpdateFunc = func(current *oauth2client.Credentials) (*oauth2client.Credentials, error)

// Store keeps credentials under string keys. Implementations are safe for
// concurrent use by goroutines and, where the medium is shared (files,
// databases), by processes and machines.
//
// Credentials a Store returns are new values read from the medium; give them
// run-time settings with [oauth2client.Credentials.WithConfig].
type Store interface {
	// Load returns the credentials stored under key, or ErrNotFound.
	Load(ctx context.Context, key string) (*oauth2client.Credentials, error)
	// Save stores c under key, replacing what was there.
	Save(ctx context.Context, key string, c *oauth2client.Credentials) error
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List returns the stored keys in sorted order.
	List(ctx context.Context) ([]string, error)
	// Update runs fn on the entry under an exclusive lock that holds across
	// threads, processes and (for shared databases) machines, and stores
	// what fn returns: an atomic read-modify-write. See [UpdateFunc].
	Update(ctx context.Context, key string, fn UpdateFunc) error
	// Close releases the store's resources.
	Close() error
}
