// Package store keeps [oauth2client.Credentials] between runs and shares
// them between threads, processes and machines. A store keeps plain
// [oauth2client.CredentialsState]; [Bind] makes live credentials of it.
//
// # One rule
//
// Every [Store] offers an atomic read-modify-write, [Store.Update], under an
// exclusive lock, and a per-key refresh lock, [Store.LockRefresh].
// Credentials bound to a store (see [oauth2client.CredentialsConfig].Store)
// refresh with the store's locks off the network:
//
//  1. they take the key's refresh lock, which serializes the refreshes of
//     one key across threads, processes and replicas, and hold it to the
//     end;
//  2. they read the entry (a short Update that writes nothing): when
//     another holder already stored a fresher token they adopt it and make
//     no request, so N processes sharing one store with an expired token
//     make one refresh, not N;
//  3. they make the token request holding no file or row lock, so a hung
//     token endpoint for one key delays no other key, no reader, and no
//     Python program sharing the file (whose lock gives up after 1 s);
//  4. they store the new token in a second short Update, which re-checks
//     that the entry was not deleted, marked invalid or replaced meanwhile.
//
// Save and Delete do not take the refresh lock; see
// [oauth2client.CredentialsStore] for how a refresh treats an entry they
// changed during its request.
//
// # Implementations
//
//   - [Memory]: in memory, for tests.
//   - store/file: one credential per file, or many per file, in formats
//     Python oauth2client reads and writes.
//   - store/keyring: the operating system's password manager.
//   - store/sqlstore: SQLite (embedded) and PostgreSQL (many replicas); the
//     design called it store/sql, but a package named sql would shadow
//     database/sql in its users' code.
//
// Package store/spec opens any of them from a spec such as file:PATH,
// keyring:SERVICE, sqlite:PATH or postgres://..., for the command line and
// library users alike.
package store
