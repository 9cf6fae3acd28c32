// Package safefile creates, opens, replaces and locks the files of the
// credential stores and the command line without ever following a
// symbolic link at the file, and in folders no other user can change.
//
// It is the one place where these mechanisms live: store/file, sqlstore,
// internal/keylock and the command line use it.
//
// # Symbolic links
//
// A symbolic link (dangling or not) where a file of ours should be is
// refused with an error wrapping [ErrSymlink] that names the file; its
// target is never read, written, created or chmodded. [Lstat] checks
// before acting; [OpenNoFollow] opens with O_NOFOLLOW where the system
// has it ([NoFollow]), so a link planted after the check is refused too.
// Only the last element of a path is checked: folders on the way, such as
// /tmp on macOS, may be links. Windows has no O_NOFOLLOW; there the check
// before opening is all there is.
//
// # Folders
//
// Before creating a file ([OpenNoFollow] with O_CREATE, [ReplaceFile]),
// the folder it goes in is checked on Unix systems: a folder that users
// other than its owner may write (group or other write permission) is
// refused unless its sticky bit is set (as on /tmp), and so is a folder
// owned by someone other than this process's user or root. Either would
// let another user replace the file, or plant a link, between a check and
// the open. Such folders are refused with an error wrapping
// [ErrUnsafeFolder]. A folder made with mode 0700 (os.MkdirTemp,
// testing.T.TempDir) or 0755 passes. Only the folder holding the file is
// checked, not the ones above it. Other systems skip this check.
//
// # Replacing a file
//
// [ReplaceFile] writes a temp file in the same folder (created with
// O_EXCL, mode 0600), fsyncs it, renames it over the file and fsyncs the
// folder: readers see the old file or the new one, never a part of
// either, and a crash keeps one of them. [RemoveFile] deletes a file and
// fsyncs its folder.
//
// # Waiting for a lock
//
// [Poll] retries a non-blocking lock attempt with a growing backoff until
// it succeeds, fails, or its context ends.
package safefile
