//go:build !unix

package safefile

// checkFolder does nothing where Unix permission bits do not exist.
func checkFolder(string) error { return nil }

// syncFolder does nothing: folders cannot be fsynced here (Windows keeps
// renames in the file system's journal).
func syncFolder(string) error { return nil }
