// Package keylock hands out exclusive locks per key that hold across the
// goroutines of a process and across processes sharing one lock file.
//
// The credential stores use it to serialize refreshes of one credential
// while the request to the token endpoint is in flight, without holding
// the lock of the store's file (so other keys, and other programs sharing
// the file, wait for nothing) and without making refreshes of other keys
// wait.
//
//	l := keylock.New(path + ".keylock")
//	unlock, err := l.Lock(ctx, key)
//	if err != nil {
//		return err // names the lock file; wraps ctx.Err()
//	}
//	defer unlock()
//
// # How
//
// A key stands for one byte of the lock file, at an offset given by the
// FNV-64a hash of the key modulo 2^40. Two keys whose offsets collide
// (about one chance in 2^40 for a pair) are simply serialized with each
// other; exclusion is never lost.
//
// Within a process, the goroutines locking one offset take turns on a
// one-slot channel, so a waiter can leave when its context is done;
// offsets nobody holds or waits for leave the table. Across processes:
//
//   - Linux: open-file-description locks (fcntl F_OFD_SETLK) on the byte,
//     tried without blocking and retried with a backoff growing from 2 ms
//     to 50 ms until the context is done. They are released by unlock or
//     when the holding process ends, even by SIGKILL: no stale locks.
//   - Other Unix systems (macOS, the BSDs): POSIX record locks (F_SETLK),
//     the same way. They belong to the process, and closing any descriptor
//     of the lock file in the process drops them, so the lock file must be
//     used through this package only.
//   - Windows and others: one whole-file lock (github.com/gofrs/flock),
//     held while any goroutine of the process holds any key. Coarser: across
//     processes all keys of one lock file share it.
//
// The lock file is created on first use with mode 0600 (through
// internal/safefile); a symbolic link is refused ([ErrSymlink]), and its
// folder must exist and, on Unix, be one no other user can change. Lockers
// of one process for the same path (spelled the same way once made
// absolute) share one descriptor, kept open for the life of the process.
//
// Errors name the lock file and quote the key clipped to 80 bytes.
package keylock
