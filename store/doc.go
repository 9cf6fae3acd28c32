// Package store keeps [oauth2client.Credentials] between runs and shares
// them between threads, processes and machines.
//
// # One rule
//
// Every [Store] offers an atomic read-modify-write, [Store.Update], under an
// exclusive lock. Credentials bound to a store (see
// [oauth2client.CredentialsConfig].Store) refresh inside Update: they first
// look at what is stored, and when another thread, process or replica already
// stored a fresher token they adopt it and make no request. So N processes
// sharing one store with an expired token make one refresh, not N.
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
