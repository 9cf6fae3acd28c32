package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/keylock"
	"github.com/oauth2client/oauth2client/internal/safefile"
	"github.com/oauth2client/oauth2client/store"
)

// SingleKey is the key [Store.List] reports for a one-credential file
// that holds a credential. Any key reaches that credential.
const SingleKey = "default"

// Options tune a [Store]. The zero value is ready to use.
type Options struct {
	// LockTimeout bounds how long an operation waits for the lock on
	// PATH.lock; zero means DefaultLockTimeout. When it passes, the
	// operation fails with ErrLockTimeout: it never goes on unlocked.
	LockTimeout time.Duration
	// NewFormat is the format a many-credential store writes when the file
	// is missing or empty: FormatGo (the zero value), FormatMultiprocess or
	// FormatMultistore. Existing files keep the format they were read in.
	NewFormat Format
	// Logger, when set, receives debug records of waits for locks; never a
	// credential.
	Logger *slog.Logger

	// writeHook injects write failures in tests.
	writeHook safefile.Hook
}

// Store is a [store.Store] backed by one file: a one-credential file
// ([OpenSingle]) or a many-credential file ([Open]). Stores are safe for
// concurrent use, and many Stores, in one process or many, may share a
// file: see the package doc for locking.
type Store struct {
	path     string // absolute
	lockPath string // path + ".lock"
	single   bool
	opts     Options
	logger   *slog.Logger // never nil
	// refresh holds the refresh locks of keys (LockRefresh) in the sidecar
	// path + ".refresh.lock".
	refresh *keylock.Locker
}

var _ store.Store = (*Store)(nil)

func newStore(path string, opts *Options, single bool) (*Store, error) {
	if path == "" {
		return nil, errors.New("store/file: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store/file: path %s: %w", path, err)
	}
	s := &Store{path: abs, lockPath: abs + ".lock", single: single}
	if opts != nil {
		s.opts = *opts
	}
	s.logger = s.opts.Logger
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	s.refresh = keylock.New(abs + ".refresh.lock")
	switch s.opts.NewFormat {
	case FormatGo, FormatMultiprocess, FormatMultistore:
	default:
		return nil, fmt.Errorf("store/file: Options.NewFormat %v is not a many-credential format", s.opts.NewFormat)
	}
	if err := checkPath(abs, "credentials file"); err != nil {
		return nil, err
	}
	if err := checkPath(s.lockPath, "lock file"); err != nil {
		return nil, err
	}
	if err := checkPath(s.refresh.Path(), "refresh lock file"); err != nil {
		return nil, err
	}
	return s, nil
}

// Open returns a store of many credentials kept in the file at path, in
// any of the many-credential formats (see package doc); a missing or
// empty file is created in opts.NewFormat on the first write. Open does not
// read the file: a file of one credential, or a corrupt one, makes each
// operation fail. opts may be nil.
func Open(path string, opts *Options) (*Store, error) {
	return newStore(path, opts, false)
}

// OpenSingle returns a store for the one-credential file at path, in the
// format of Python oauth2client's file.Storage. Every key reaches the one
// credential: Load, Save and Update ignore the key, Delete removes the
// file, and List returns [SingleKey] when the file holds a credential.
// opts may be nil.
func OpenSingle(path string, opts *Options) (*Store, error) {
	return newStore(path, opts, true)
}

// OpenAuto opens path as [OpenSingle] does when it holds one credential,
// and as [Open] does otherwise (a many-credential file, or a missing or
// empty one): what the command line's --store file:PATH does. It fails
// for a corrupt file. opts may be nil.
func OpenAuto(ctx context.Context, path string, opts *Options) (*Store, error) {
	s, err := newStore(path, opts, false)
	if err != nil {
		return nil, err
	}
	d, err := s.readShared(ctx, s.readAny)
	if err != nil {
		return nil, err
	}
	s.single = d.format == FormatSingle
	return s, nil
}

// Path returns the absolute path of the credentials file.
func (s *Store) Path() string { return s.path }

// Format reads the file and returns its format; for a missing or empty
// file, the format the store would write.
func (s *Store) Format(ctx context.Context) (Format, error) {
	d, err := s.readShared(ctx, s.read)
	if err != nil {
		return 0, err
	}
	return d.format, nil
}

// readShared runs read (s.read or s.readAny) under the shared lock, taken
// only when the lock file exists: reading creates nothing (no folder, no
// lock file). A missing file reads as empty without a lock. An existing
// file without PATH.lock is read without one too: every writer that takes
// the lock (this package, Python's multiprocess_file_storage) creates
// PATH.lock before it writes, and ours rename a complete file into place,
// so when PATH.lock is still missing after the read no locked write
// overlapped it; when it appeared meanwhile, the file is read again under
// the lock.
func (s *Store) readShared(ctx context.Context, read func() (*doc, error)) (*doc, error) {
	if s.missing() || s.lockMissing() {
		if err := checkPath(s.lockPath, "lock file"); err != nil {
			return nil, err
		}
		d, err := read()
		if s.lockMissing() {
			return d, err
		}
	}
	unlock, err := s.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return read()
}

// lockMissing reports whether the lock file PATH.lock does not exist.
func (s *Store) lockMissing() bool {
	_, err := os.Lstat(s.lockPath)
	return errors.Is(err, fs.ErrNotExist)
}

// missing reports whether the credentials file does not exist.
func (s *Store) missing() bool {
	_, err := os.Lstat(s.path)
	return errors.Is(err, fs.ErrNotExist)
}

// readAny reads and parses the file, whatever its format.
func (s *Store) readAny() (*doc, error) {
	data, err := readFile(s.path)
	if err != nil {
		return nil, err
	}
	def := s.opts.NewFormat
	if s.single {
		def = FormatSingle
	}
	d, err := parse(data, def)
	if err != nil {
		return nil, fmt.Errorf("store/file: %s: %w", s.path, err)
	}
	return d, nil
}

// read reads and parses the file, which must be of the store's kind.
func (s *Store) read() (*doc, error) {
	d, err := s.readAny()
	if err != nil {
		return nil, err
	}
	switch {
	case s.single && d.format != FormatSingle:
		return nil, fmt.Errorf("store/file: %s holds many credentials (%v), not one: open it with Open or OpenAuto", s.path, d.format)
	case !s.single && d.format == FormatSingle:
		return nil, fmt.Errorf("store/file: %s holds one credential (%v): open it with OpenSingle or OpenAuto", s.path, d.format)
	}
	return d, nil
}

// write replaces the file with d.
func (s *Store) write(d *doc) error {
	if d.format == FormatSingle && len(d.entries) == 0 {
		return removeFile(s.path)
	}
	data, err := d.encode()
	if err != nil {
		return fmt.Errorf("store/file: encode %s: %w", s.path, err)
	}
	return writeFile(s.path, data, s.opts.writeHook)
}

func (s *Store) entryKey(key string) string {
	if s.single {
		return SingleKey
	}
	return key
}

// parseEntry parses the credentials of entry i of d.
func (s *Store) parseEntry(d *doc, i int) (*oauth2client.CredentialsState, error) {
	c := new(oauth2client.CredentialsState)
	if err := json.Unmarshal(d.entries[i].cred, c); err != nil {
		if s.single {
			return nil, fmt.Errorf("store/file: %s: %w", s.path, err)
		}
		return nil, fmt.Errorf("store/file: %s: entry %q: %w", s.path, d.entries[i].key, err)
	}
	return c, nil
}

// Load implements [store.Store]. It holds a shared lock while it reads; a
// missing file is read without one, and nothing is created.
func (s *Store) Load(ctx context.Context, key string) (*oauth2client.CredentialsState, error) {
	d, err := s.readShared(ctx, s.read)
	if err != nil {
		return nil, err
	}
	i := d.find(s.entryKey(key))
	if i < 0 {
		return nil, store.ErrNotFound
	}
	return s.parseEntry(d, i)
}

// List implements [store.Store]. It holds a shared lock while it reads; a
// missing file is read without one, and nothing is created.
func (s *Store) List(ctx context.Context) ([]string, error) {
	d, err := s.readShared(ctx, s.read)
	if err != nil {
		return nil, err
	}
	return d.keys(), nil
}

// modify runs fn on the parsed file under the exclusive lock and writes the
// file back when fn reports a change. A file that does not parse is never
// written.
func (s *Store) modify(ctx context.Context, fn func(d *doc) (bool, error)) error {
	unlock, err := s.lock(ctx, true)
	if err != nil {
		return err
	}
	defer unlock()
	d, err := s.read()
	if err != nil {
		return err
	}
	changed, err := fn(d)
	if err != nil || !changed {
		return err
	}
	return s.write(d)
}

// Save implements [store.Store]: it replaces the entry, under the exclusive
// lock, rewriting the whole file. In the Python formats, credentials with
// extension fields are refused (see [ErrPythonDropsExtensions]).
func (s *Store) Save(ctx context.Context, key string, c *oauth2client.CredentialsState) error {
	if c == nil {
		return fmt.Errorf("store/file: %s: save %q: nil credentials", s.path, key)
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("store/file: %s: encode credentials: %w", s.path, err)
	}
	cred, err := credentialJSON(b, nil)
	if err != nil {
		return fmt.Errorf("store/file: %s: encode credentials: %w", s.path, err)
	}
	key = s.entryKey(key)
	return s.modify(ctx, func(d *doc) (bool, error) {
		if err := s.checkExtensions(d, key, c); err != nil {
			return false, err
		}
		d.set(key, cred)
		return true, nil
	})
}

// Delete implements [store.Store]. On a one-credential file it removes the
// file, as Python's file.Storage does. With no file, it creates nothing.
func (s *Store) Delete(ctx context.Context, key string) error {
	if s.missing() {
		return nil
	}
	return s.modify(ctx, func(d *doc) (bool, error) {
		return d.remove(s.entryKey(key)), nil
	})
}

// Update implements [store.Store]: it reads the file, runs fn and writes
// the file back, all under the exclusive lock. Fields of the old entry that
// oauth2client.CredentialsState does not know are kept. In the Python
// formats, credentials with extension fields are refused (see
// [ErrPythonDropsExtensions]).
func (s *Store) Update(ctx context.Context, key string, fn store.UpdateFunc) error {
	key = s.entryKey(key)
	return s.modify(ctx, func(d *doc) (bool, error) {
		var (
			cur *oauth2client.CredentialsState
			old json.RawMessage
		)
		if i := d.find(key); i >= 0 {
			c, err := s.parseEntry(d, i)
			if err != nil {
				return false, err
			}
			cur, old = c, d.entries[i].cred
		}
		next, err := fn(cur)
		if err != nil || next == nil {
			return false, err
		}
		if err := s.checkExtensions(d, key, next); err != nil {
			return false, err
		}
		b, err := json.Marshal(next)
		if err != nil {
			return false, fmt.Errorf("store/file: %s: encode credentials: %w", s.path, err)
		}
		cred, err := credentialJSON(b, old)
		if err != nil {
			return false, fmt.Errorf("store/file: %s: encode credentials: %w", s.path, err)
		}
		d.set(key, cred)
		return true, nil
	})
}

// LockRefresh implements [store.Store]: an exclusive lock per key, across
// goroutines and processes, on a byte of the sidecar PATH.refresh.lock
// (created 0600; a symbolic link is refused) chosen by a hash of the key
// (package internal/keylock). It excludes no Load, Save, Update or Delete,
// and no Python program. When the file's folder does not exist there is
// nothing to refresh, and it locks nothing.
func (s *Store) LockRefresh(ctx context.Context, key string) (func(), error) {
	if _, err := os.Stat(filepath.Dir(s.path)); errors.Is(err, fs.ErrNotExist) {
		return func() {}, nil
	}
	start := time.Now()
	unlock, err := s.refresh.Lock(ctx, s.entryKey(key))
	if err != nil {
		return nil, fmt.Errorf("store/file: %w", err)
	}
	if waited := time.Since(start); waited >= time.Millisecond {
		s.logger.DebugContext(ctx, "store/file: waited for the refresh lock", "file", s.path, "key", key, "waited", waited)
	}
	return unlock, nil
}

// Close implements [store.Store]; a Store holds no resources between
// operations, so it does nothing.
func (s *Store) Close() error { return nil }
