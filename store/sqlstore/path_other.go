//go:build !unix

package sqlstore

// oNoFollow is not available here; prepareSQLitePath's Lstat checks remain.
const oNoFollow = 0
