// Package file keeps credentials in files: one credential per file in the
// format of Python oauth2client's file.Storage, or many per file, in this
// package's own format or in the formats of oauth2client's
// multiprocess_file_storage and multistore_file. Every [Store] implements
// [store.Store], so credentials bound to it (see [store.Bind]) refresh once
// for all the processes sharing a file, holding the file's lock only for a
// short read before the token request and a short write after it, never
// across the request (see Locking).
//
// [Open] opens a many-credential file, [OpenSingle] a one-credential file,
// and [OpenAuto] picks by content (what the command line's
// --store file:PATH does): an existing one-credential file opens as one, a
// missing or empty file becomes a many-credential file.
//
// # Formats
//
//   - [FormatSingle]: the credentials JSON object itself (see
//     [oauth2client.ParseCredentialsJSON]). Any key reaches it; List
//     returns [SingleKey]; Delete removes the file, as Python does.
//   - [FormatGo], written for new many-credential files:
//     {"oauth2client_go": 1, "credentials": {KEY: CREDENTIALS}}, indented
//     by two spaces, keys sorted. Another version number is an error, not a
//     guess.
//   - [FormatMultiprocess] (Python's file_version 2):
//     {"file_version": 2, "credentials": {KEY: base64(CREDENTIALS)}}.
//   - [FormatMultistore] (Python's file_version 1):
//     {"file_version": 1, "data": [{"key": {...}, "credential": {...}}]},
//     sorted keys, indented by two spaces. A key dict {"key": S} is the
//     string key S; any other dict, among them the classic {clientId,
//     userAgent, scope}, is its canonical JSON (compact, sorted keys), so
//     [store.ClassicKey] names the classic entries. A new string key that
//     is such canonical JSON is written as that dict, any other as
//     {"key": S}.
//
// A file is written back in the format it was read in ([Options].NewFormat
// picks the format of a new file), keeping what this package does not
// understand: unknown top-level fields, entries it cannot parse (such as
// service account credentials in a multiprocess file: Load of that key
// fails, the other keys work), unknown fields of multistore items, and, in
// an Update, unknown fields of the credential updated. Python itself drops
// all of these when it rewrites a file.
//
// A 0-byte file is an empty store: Python creates the file empty before it
// first writes it, so a crash there leaves one. Anything else that is not
// one of the formats (truncated JSON, whitespace, another JSON type, an
// unknown version, a field of the wrong type) is an error wrapping
// [ErrCorrupt] that names the file and what is wrong; Save, Update and
// Delete then fail without writing, so a corrupt file is never
// overwritten.
//
// # Locking
//
// Every operation locks the sidecar file PATH.lock (created mode 0600,
// never deleted): exclusively for Save, Update and Delete, which read,
// modify and write the file under one lock, and shared for Load and List.
// Three locks are taken, in this order:
//
//   - an in-process lock per lock file, so goroutines (with one Store or
//     many on the same path) exclude each other;
//   - flock(2) through github.com/gofrs/flock, excluding other processes
//     using this package;
//   - on Unix, a POSIX record lock (fcntl F_SETLK) on the whole lock file,
//     excluding Python's multiprocess_file_storage, whose lock
//     (fasteners.InterProcessLock) is fcntl.lockf on the same PATH.lock.
//     flock and record locks do not see each other on Linux, hence both.
//
// Reading creates nothing: neither the folder nor a lock file. A missing
// file is read (Load, List, Format) without any lock, and a Delete with no
// file does nothing. An existing file whose PATH.lock does not exist yet
// (one written by Python's file.Storage, or copied in place) is read
// without a lock too: every writer that locks creates PATH.lock first, so
// when it is still missing after the read, no locked write overlapped it;
// when it appeared meanwhile, the file is read again under the shared lock.
// The first write creates the folder (mode 0700) and PATH.lock.
//
// Refreshes of one key are serialized by a second, per-key lock,
// [Store.LockRefresh]: a byte-range lock, chosen by a hash of the key, on
// the sidecar PATH.refresh.lock (created 0600; a symbolic link is
// refused), held by a bound refresh across its token request. It excludes
// nothing else, so while the token endpoint of one key hangs, every other
// key, reader and Python program sharing the file goes on at once.
//
// Busy locks are polled until [Options].LockTimeout (default
// [DefaultLockTimeout]) or the context ends; a timeout is an error wrapping
// [ErrLockTimeout] that names the lock file. There is no fall-back to
// working unlocked or read-only (Python's fall-back lost updates). Locks
// die with their process, so a lock file left by a crashed process never
// blocks.
//
// Not excluded: Python's file.Storage, which takes no inter-process lock at
// all (our writes are atomic, so it never reads half a file, but a write of
// its own may undo one of ours); programs that ignore PATH.lock; and, on
// network file systems, whatever their locking does not carry.
//
// # Crash safety
//
// Each write goes to a new temp file in the same folder (mode 0600), is
// fsynced, renamed over the file, and the folder is fsynced: a reader, or
// a process after a crash or SIGKILL, sees the old file or the new one,
// never a mix. A failed write leaves the old file and removes the temp
// file; temp files left by a killed writer are removed by the next write.
// Every write leaves the file at mode 0600. A file or lock file that is a
// symbolic link is refused with an error wrapping [ErrSymlink]. On Unix,
// files are created only in a folder no other user can change: one that
// others may write without the sticky bit, or that belongs to another
// user than this one or root, is refused.
//
// Costs: every operation reads and parses the whole file, and every Save
// or Update rewrites it and fsyncs it, so a file of 10,000 credentials
// (about 13 MB) costs some hundreds of milliseconds per Update. Use
// store/sql beyond a few hundred credentials.
//
// # Python interop
//
// Credentials with extension fields ([oauth2client.CredentialsState]
// Extensions) are refused, with an error wrapping
// [ErrPythonDropsExtensions] that names them, by the formats Python
// rewrites ([FormatSingle], [FormatMultiprocess], [FormatMultistore]);
// [FormatGo] keeps them.
//
// Python oauth2client 4.1.3 (Debian's python3-oauth2client) reads the
// files written here in [FormatSingle] and [FormatMultiprocess] and keeps
// working with files refreshed here; this package reads what its
// file.Storage and multiprocess_file_storage write, and the multistore
// files of oauth2client 3 and earlier. Token expiry is stored in Python's
// naive UTC format, to the second.
package file
