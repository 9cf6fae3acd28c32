// Package keyring keeps credentials in the operating system's password
// manager through github.com/zalando/go-keyring: the Secret Service
// (GNOME Keyring, KWallet) on Linux and BSD, the Keychain on macOS and the
// Credential Manager on Windows.
//
// # Items
//
// A [Store] opened with [New](service, opts) keeps one keyring item per
// key: the service is the item's service, the key its user name, and the
// value the credentials JSON of [oauth2client.CredentialsState] (what
// [oauth2client.ParseCredentialsJSON] reads and
// [oauth2client.Credentials.MarshalJSON] writes): Python
// oauth2client's format, which its keyring_storage keeps the same way
// (one item per service and user name).
//
// Keys are non-empty UTF-8 of at most [MaxKeyLen] bytes without NUL
// bytes. User names starting with "__oauth2client/" are the store's own:
//
//   - "__oauth2client/index" holds the sorted keys as JSON, because
//     go-keyring cannot list items; [Store.List] reads it.
//   - "__oauth2client/SLOT/I/KEY" holds chunk I of a long value.
//
// # Long values
//
// Backends bound the size of an item (Windows: 2560 bytes). A value longer
// than [Options].ChunkSize ([DefaultChunkSize] by default) is split: the
// chunks go to one of two slots, "a" or "b", and the key's own item then
// holds a short manifest naming the slot, the chunk count, the length and
// the SHA-256 of the value. A write fills the slot the current manifest
// does not name and replaces the manifest last, so a reader never sees a
// half-written value; then it deletes the chunks no longer named,
// including those a crashed write left behind. A value that shrinks back
// under the chunk size is stored whole and its chunks deleted. The index
// itself is split the same way when it grows long.
//
// # Locking
//
// go-keyring has no transactions, so the store serializes its own work.
// Every operation takes an in-process lock and then a lock on a file
// ([Options].LockPath; by default one per service under the user's cache
// folder, created 0600) through github.com/gofrs/flock: shared for Load
// and List, exclusive for Save, Delete and Update. Hence:
//
//   - Update is an atomic read-modify-write with respect to every
//     goroutine and every process using the same service and lock file:
//     two Updates of a service never interleave, and no Load or List sees
//     a write half done.
//   - Programs that write the same items without this lock (another
//     library, a user in Seahorse or Keychain Access) are not excluded.
//     A value they damage is reported as an error naming the service and
//     key, never returned as something else.
//   - The lock file must be on a local file system shared by the
//     processes; processes with different LockPath values, or on
//     different machines, are not serialized.
//
// Waiting for the lock honours the context and [Options].LockTimeout.
//
// Refreshes of one key are serialized by a per-key lock,
// [Store.LockRefresh]: a byte-range lock, chosen by a hash of the key, on
// the sidecar LockPath + ".refresh", held by a bound refresh across its
// token request, while the lock above is held only for the short read
// before the request and the short write after it.
//
// # Errors
//
// Errors name the service and key, and never include a stored value.
// Load of a missing key returns an error wrapping [store.ErrNotFound]
// (go-keyring's ErrNotFound is mapped to it); Delete of a missing key
// succeeds.
//
// # Secret Service
//
// On Linux go-keyring writes to the collection "login" when the Secret
// Service lists one, and otherwise to the collection the alias "default"
// names, unlocking it first (which may show a password prompt on a
// desktop). A gnome-keyring-daemon started with --unlock and a password
// on stdin creates an unlocked "login" collection in a new data folder,
// which is how this package's tests run it (see secretservice_test.go).
package keyring
