package keyring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gofrs/flock"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/internal/keylock"
	"github.com/oauth2client/oauth2client/store"
)

// DefaultChunkSize is the largest value, in bytes, stored in one keyring
// item when [Options].ChunkSize is zero. Windows Credential Manager takes
// at most 2560 bytes per credential, and go-keyring's macOS backend about
// 3000 bytes of service, user name and base64-encoded value together;
// 1800 bytes (2400 in base64) fits both with a service and key of
// [MaxKeyLen] bytes each.
const DefaultChunkSize = 1800

// MinChunkSize is the smallest [Options].ChunkSize accepted: a chunk
// manifest must fit in one item.
const MinChunkSize = 256

// MaxKeyLen is the longest key, and the longest service name, in bytes.
const MaxKeyLen = 256

// DefaultLockTimeout is how long an operation waits for the lock when
// [Options].LockTimeout is zero.
const DefaultLockTimeout = 30 * time.Second

// maxValueSize bounds a stored value (1 MiB, like response bodies).
const maxValueSize = 1 << 20

// lockRetry is how often a held file lock is tried again.
const lockRetry = 10 * time.Millisecond

// Options configure a [Store]. The zero value gives the defaults.
type Options struct {
	// ChunkSize is the largest value in bytes kept in one keyring item;
	// longer values are split. Zero means DefaultChunkSize; it must
	// otherwise be at least MinChunkSize. Every process sharing a service
	// may use its own size: readers follow what the writer recorded.
	ChunkSize int
	// LockPath is the lock file shared by every process using the
	// service. Empty means a file named after the service under
	// os.UserCacheDir()/oauth2client. Its folder is created (0700) if
	// missing and the file is created 0600.
	LockPath string
	// LockTimeout bounds the wait for the lock. Zero means
	// DefaultLockTimeout; a negative value waits as long as the context.
	LockTimeout time.Duration
	// Logger, when set, receives debug records of waits for locks; never a
	// credential.
	Logger *slog.Logger
}

// backend is the part of go-keyring the store uses; tests replace it to
// inject failures.
type backend interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
	Delete(service, user string) error
}

// osKeyring is the operating system's password manager, via go-keyring.
type osKeyring struct{}

func (osKeyring) Get(service, user string) (string, error) { return gokeyring.Get(service, user) }
func (osKeyring) Set(service, user, value string) error    { return gokeyring.Set(service, user, value) }
func (osKeyring) Delete(service, user string) error        { return gokeyring.Delete(service, user) }

// Store is a [store.Store] in the operating system's password manager:
// one keyring item per key under one service name, values split into
// chunks when too long, and an index item for [Store.List]. It is safe
// for concurrent use; see the package documentation for what the lock
// guarantees.
type Store struct {
	service     string
	chunkSize   int
	lockTimeout time.Duration
	kr          backend
	lock        *flock.Flock
	refresh     *keylock.Locker // refresh locks, in LockPath + ".refresh"
	logger      *slog.Logger    // never nil

	// sem is the in-process lock: one operation at a time holds it, and
	// with it the file lock. A channel so waiting honours the context.
	sem    chan struct{}
	closed bool // guarded by sem
}

var _ store.Store = (*Store)(nil)

// New returns a store keeping credentials in the password manager under
// service. opts may be nil. New touches neither the keyring nor the lock
// file: errors from either show on first use.
func New(service string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if err := checkName(service); err != nil {
		return nil, fmt.Errorf("keyring: service %q: %w", service, err)
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = DefaultChunkSize
	}
	if o.ChunkSize < MinChunkSize {
		return nil, fmt.Errorf("keyring: service %q: ChunkSize %d is below the minimum %d", service, o.ChunkSize, MinChunkSize)
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = DefaultLockTimeout
	}
	if o.LockPath == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("keyring: service %q: no folder for the lock file (set Options.LockPath): %w", service, err)
		}
		sum := sha256.Sum256([]byte(service))
		o.LockPath = filepath.Join(dir, "oauth2client", "keyring-"+hex.EncodeToString(sum[:8])+".lock")
	}
	logger := o.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Store{
		service:     service,
		chunkSize:   o.ChunkSize,
		lockTimeout: o.LockTimeout,
		kr:          osKeyring{},
		lock:        flock.New(o.LockPath, flock.SetPermissions(0o600)),
		refresh:     keylock.New(o.LockPath + ".refresh"),
		logger:      logger,
		sem:         make(chan struct{}, 1),
	}, nil
}

// Service returns the service name the store keeps its items under.
func (s *Store) Service() string { return s.service }

// LockPath returns the path of the store's lock file.
func (s *Store) LockPath() string { return s.lock.Path() }

// checkName checks a service name or key: keyring backends need
// non-empty UTF-8 without NUL bytes, and bound the length.
func checkName(name string) error {
	switch {
	case name == "":
		return errors.New("empty")
	case len(name) > MaxKeyLen:
		return fmt.Errorf("longer than %d bytes", MaxKeyLen)
	case !utf8.ValidString(name):
		return errors.New("not valid UTF-8")
	case strings.ContainsRune(name, 0):
		return errors.New("contains a NUL byte")
	}
	return nil
}

func (s *Store) checkKey(key string) error {
	err := checkName(key)
	if err == nil && strings.HasPrefix(key, reservedPrefix) {
		err = fmt.Errorf("the prefix %q is reserved", reservedPrefix)
	}
	if err != nil {
		return s.errorf(key, "invalid key: %w", err)
	}
	return nil
}

// errorf returns an error naming the service and key; it never includes
// a stored value.
func (s *Store) errorf(key, format string, args ...any) error {
	return fmt.Errorf("keyring: service %q key %q: "+format, append([]any{s.service, key}, args...)...)
}

// acquireKey checks key and then takes the locks as acquire does.
func (s *Store) acquireKey(ctx context.Context, key string, exclusive bool) (release func(), err error) {
	if err := s.checkKey(key); err != nil {
		return nil, err
	}
	return s.acquire(ctx, exclusive)
}

// acquire takes the in-process lock and then the file lock, shared or
// exclusive, waiting at most the lock timeout; release undoes both.
func (s *Store) acquire(ctx context.Context, exclusive bool) (release func(), err error) {
	release, _, err = s.acquireMode(ctx, exclusive, false)
	return release, err
}

// readShared runs read under the shared lock. When the lock file does not
// exist, read runs under the in-process lock only, so that a command that
// only reads creates no folder and no file; if a writer created the lock
// file meanwhile (every writer does, before it writes), read runs again
// under the file lock, since it may have seen a value half written.
func (s *Store) readShared(ctx context.Context, read func() error) error {
	release, unlocked, err := s.acquireMode(ctx, false, true)
	if err != nil {
		return err
	}
	err = read()
	release()
	if !unlocked || !s.lockFileExists() {
		return err
	}
	if release, err = s.acquire(ctx, false); err != nil {
		return err
	}
	defer release()
	return read()
}

// lockFileExists reports whether the lock file is there (or cannot be
// told missing).
func (s *Store) lockFileExists() bool {
	_, err := os.Stat(s.lock.Path())
	return !errors.Is(err, fs.ErrNotExist)
}

// acquireMode is acquire; with ifLockFile, a shared lock skips the file
// lock when the lock file does not exist, and unlocked says so.
func (s *Store) acquireMode(ctx context.Context, exclusive, ifLockFile bool) (release func(), unlocked bool, err error) {
	if s.lockTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.lockTimeout)
		defer cancel()
	}
	start := time.Now()
	select {
	case s.sem <- struct{}{}:
	default:
		s.logger.DebugContext(ctx, "keyring: waiting for the lock another goroutine holds", "service", s.service)
		select {
		case s.sem <- struct{}{}:
		case <-ctx.Done():
			return nil, false, s.lockError(ctx.Err())
		}
	}
	if s.closed {
		<-s.sem
		return nil, false, fmt.Errorf("keyring: service %q: store is closed", s.service)
	}
	if ifLockFile && !exclusive && !s.lockFileExists() {
		return func() { <-s.sem }, true, nil
	}
	dir := filepath.Dir(s.lock.Path())
	if err := os.MkdirAll(dir, 0o700); err != nil {
		<-s.sem
		return nil, false, fmt.Errorf("keyring: service %q: lock folder: %w", s.service, err)
	}
	try, tryCtx := s.lock.TryRLock, s.lock.TryRLockContext
	if exclusive {
		try, tryCtx = s.lock.TryLock, s.lock.TryLockContext
	}
	ok, err := try()
	if err == nil && !ok {
		s.logger.DebugContext(ctx, "keyring: waiting for the lock another process holds", "service", s.service, "lock", s.lock.Path())
		_, err = tryCtx(ctx, lockRetry)
	}
	if err != nil {
		<-s.sem
		return nil, false, s.lockError(err)
	}
	if waited := time.Since(start); waited >= time.Millisecond {
		s.logger.DebugContext(ctx, "keyring: took the lock", "service", s.service, "waited", waited)
	}
	return func() {
		_ = s.lock.Unlock()
		<-s.sem
	}, false, nil
}

func (s *Store) lockError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("keyring: service %q: timed out waiting for lock %s (another process holds it): %w", s.service, s.lock.Path(), err)
	}
	return fmt.Errorf("keyring: service %q: lock %s: %w", s.service, s.lock.Path(), err)
}

// Load implements [store.Store]. A missing key gives an error wrapping
// [store.ErrNotFound].
func (s *Store) Load(ctx context.Context, key string) (*oauth2client.CredentialsState, error) {
	if err := s.checkKey(key); err != nil {
		return nil, err
	}
	var c *oauth2client.CredentialsState
	err := s.readShared(ctx, func() (err error) {
		c, err = s.loadLocked(key)
		return err
	})
	if c == nil && err == nil {
		err = s.errorf(key, "%w", store.ErrNotFound)
	}
	return c, err
}

// loadLocked returns the credentials under key, or nil, nil when there are none.
func (s *Store) loadLocked(key string) (*oauth2client.CredentialsState, error) {
	b, err := s.readValue(key)
	if err != nil || b == nil {
		return nil, err
	}
	c := new(oauth2client.CredentialsState)
	if err := json.Unmarshal(b, c); err != nil {
		return nil, s.errorf(key, "stored value: %w", err)
	}
	return c, nil
}

// Save implements [store.Store].
func (s *Store) Save(ctx context.Context, key string, c *oauth2client.CredentialsState) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	if c == nil {
		return s.errorf(key, "save: nil credentials")
	}
	b, err := c.MarshalJSON()
	if err != nil {
		return s.errorf(key, "encode: %w", err)
	}
	release, err := s.acquire(ctx, true)
	if err != nil {
		return err
	}
	defer release()
	return s.storeLocked(key, b)
}

// storeLocked writes the value of key, then lists key in the index: a
// crash in between leaves a value List does not show, which the next
// Save or Delete of the key repairs, never a listed key without a value.
func (s *Store) storeLocked(key string, b []byte) error {
	if len(b) > maxValueSize {
		return s.errorf(key, "encoded credentials are %d bytes, over the %d-byte limit", len(b), maxValueSize)
	}
	if err := s.writeValue(key, b); err != nil {
		return err
	}
	return s.editIndex(func(keys []string) []string {
		i, found := slices.BinarySearch(keys, key)
		if found {
			return nil
		}
		return slices.Insert(keys, i, key)
	})
}

// Delete implements [store.Store]. It takes key out of the index, then
// deletes the value: a failure in between leaves a value List does not
// show, which the next Save or Delete of the key repairs, never a listed
// key without a value.
func (s *Store) Delete(ctx context.Context, key string) error {
	release, err := s.acquireKey(ctx, key, true)
	if err != nil {
		return err
	}
	defer release()
	err = s.editIndex(func(keys []string) []string {
		i, found := slices.BinarySearch(keys, key)
		if !found {
			return nil
		}
		return slices.Delete(keys, i, i+1)
	})
	if err != nil {
		return err
	}
	return s.deleteValue(key)
}

// List implements [store.Store]. It reads the index item, which every
// Save, Update and Delete keeps in step under the lock.
func (s *Store) List(ctx context.Context) ([]string, error) {
	var keys []string
	err := s.readShared(ctx, func() (err error) {
		keys, err = s.readIndex()
		return err
	})
	if keys == nil && err == nil {
		keys = []string{}
	}
	return keys, err
}

// Update implements [store.Store]. fn runs while this store holds the
// in-process lock and the exclusive file lock, so Updates of the service
// from goroutines and from processes using the same lock file run one at
// a time.
func (s *Store) Update(ctx context.Context, key string, fn store.UpdateFunc) error {
	release, err := s.acquireKey(ctx, key, true)
	if err != nil {
		return err
	}
	defer release()
	cur, err := s.loadLocked(key)
	if err != nil {
		return err
	}
	next, err := fn(cur)
	if err != nil || next == nil {
		return err
	}
	b, err := next.MarshalJSON()
	if err != nil {
		return s.errorf(key, "encode: %w", err)
	}
	return s.storeLocked(key, b)
}

// LockRefresh implements [store.Store]: an exclusive lock per key, across
// goroutines and processes, on a byte of the sidecar LockPath + ".refresh"
// (created 0600 next to the lock file; a symbolic link is refused) chosen
// by a hash of the key (package internal/keylock). It excludes no other
// operation.
func (s *Store) LockRefresh(ctx context.Context, key string) (func(), error) {
	if err := s.checkKey(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(s.refresh.Path()), 0o700); err != nil {
		return nil, fmt.Errorf("keyring: service %q: lock folder: %w", s.service, err)
	}
	start := time.Now()
	unlock, err := s.refresh.Lock(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("keyring: service %q: %w", s.service, err)
	}
	if waited := time.Since(start); waited >= time.Millisecond {
		s.logger.DebugContext(ctx, "keyring: waited for the refresh lock", "service", s.service, "key", key, "waited", waited)
	}
	return unlock, nil
}

// Close implements [store.Store]: it waits for running operations, then
// releases the lock file. Later calls fail; Close itself may be repeated.
func (s *Store) Close() error {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.lock.Close()
}

// index is the JSON kept in the index item.
type index struct {
	Version int      `json:"version"`
	Keys    []string `json:"keys"`
}

// readIndex returns the sorted keys, nil when there is no index yet.
func (s *Store) readIndex() ([]string, error) {
	b, err := s.readValue(indexName)
	if err != nil || b == nil {
		return nil, err
	}
	var ix index
	if err := json.Unmarshal(b, &ix); err != nil {
		return nil, fmt.Errorf("keyring: service %q: index item %q is not valid JSON: %w", s.service, indexName, err)
	}
	if ix.Version != 1 {
		return nil, fmt.Errorf("keyring: service %q: index item %q has version %d, want 1", s.service, indexName, ix.Version)
	}
	if !slices.IsSorted(ix.Keys) {
		slices.Sort(ix.Keys)
	}
	return slices.Compact(ix.Keys), nil
}

// editIndex applies edit to the stored keys and writes the result, unless
// edit returns nil (no change). An empty index is deleted.
func (s *Store) editIndex(edit func([]string) []string) error {
	keys, err := s.readIndex()
	if err != nil {
		return err
	}
	keys = edit(keys)
	if keys == nil {
		return nil
	}
	if len(keys) == 0 {
		return s.deleteValue(indexName)
	}
	b, err := json.Marshal(index{Version: 1, Keys: keys})
	if err != nil {
		return err
	}
	return s.writeValue(indexName, b)
}

// get reads one item: "", false when it does not exist.
func (s *Store) get(name, what string) (string, bool, error) {
	v, err := s.kr.Get(s.service, name)
	if errors.Is(err, gokeyring.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, s.errorf(name, "read %s: %w", what, err)
	}
	return v, true, nil
}

// set writes one item.
func (s *Store) set(name, what, value string) error {
	err := s.kr.Set(s.service, name, value)
	if errors.Is(err, gokeyring.ErrSetDataTooBig) {
		return s.errorf(name, "write %s of %d bytes: the keyring refused it as too big (lower Options.ChunkSize): %w", what, len(value), err)
	}
	if err != nil {
		return s.errorf(name, "write %s: %w", what, err)
	}
	return nil
}

// del deletes one item, reporting whether it existed.
func (s *Store) del(name, what string) (bool, error) {
	err := s.kr.Delete(s.service, name)
	if errors.Is(err, gokeyring.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, s.errorf(name, "delete %s: %w", what, err)
	}
	return true, nil
}

// current returns the manifest the main item of name holds, if any.
func (s *Store) current(name string) (m manifest, chunked bool, err error) {
	v, ok, err := s.get(name, "item")
	if err != nil || !ok || !isManifest(v) {
		return m, false, err
	}
	m, err = parseManifest(v)
	if err != nil {
		return m, false, s.errorf(name, "%w", err)
	}
	return m, true, nil
}

// readValue returns the value stored under name, joining its chunks; nil
// when there is none.
func (s *Store) readValue(name string) ([]byte, error) {
	v, ok, err := s.get(name, "item")
	if err != nil || !ok {
		return nil, err
	}
	if !isManifest(v) {
		return []byte(v), nil
	}
	m, err := parseManifest(v)
	if err != nil {
		return nil, s.errorf(name, "%w", err)
	}
	buf := make([]byte, 0, m.size)
	for i := range m.n {
		c, ok, err := s.get(chunkName(name, m.slot, i), fmt.Sprintf("chunk %d of %d", i+1, m.n))
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, s.errorf(name, "chunk %d of %d (slot %s) is missing", i+1, m.n, m.slot)
		}
		if len(buf)+len(c) > m.size {
			return nil, s.errorf(name, "chunks are longer than the %d bytes the manifest names", m.size)
		}
		buf = append(buf, c...)
	}
	if len(buf) != m.size || sha256.Sum256(buf) != m.sum {
		return nil, s.errorf(name, "chunks do not match the manifest (length or checksum)")
	}
	return buf, nil
}

// writeValue stores b under name. A value longer than the chunk size goes
// to the slot the current manifest does not use, chunk by chunk, and only
// then does the main item switch to a manifest naming it: until that last
// write, readers see the old value whole. Chunks no longer named are
// deleted afterwards.
func (s *Store) writeValue(name string, b []byte) error {
	old, oldChunked, err := s.current(name)
	if err != nil {
		// A damaged manifest is replaced, its chunks cleaned up as orphans.
		old, oldChunked = manifest{}, false
	}
	if len(b) <= s.chunkSize {
		if err := s.set(name, "item", string(b)); err != nil {
			return err
		}
		return s.cleanup(name, manifest{}, old, oldChunked)
	}
	slot := slots[0]
	if oldChunked {
		slot = otherSlot(old.slot)
	}
	parts := split(b, s.chunkSize)
	for i, p := range parts {
		if err := s.set(chunkName(name, slot, i), fmt.Sprintf("chunk %d of %d", i+1, len(parts)), string(p)); err != nil {
			return err
		}
	}
	m := manifest{slot: slot, n: len(parts), size: len(b), sum: sha256.Sum256(b)}
	if err := s.set(name, "manifest", m.String()); err != nil {
		return err
	}
	return s.cleanup(name, m, old, oldChunked)
}

// deleteValue deletes name's main item, then its chunks.
func (s *Store) deleteValue(name string) error {
	old, oldChunked, err := s.current(name)
	if err != nil {
		old, oldChunked = manifest{}, false
	}
	if _, err := s.del(name, "item"); err != nil {
		return err
	}
	return s.cleanup(name, manifest{}, old, oldChunked)
}

// cleanup deletes every chunk of name except the n of keep (n may be 0).
// In each slot it deletes the chunks old names, then goes on until one is
// missing: chunks are written in order, so this also catches those left
// by a write that crashed before its manifest.
func (s *Store) cleanup(name string, keep, old manifest, oldChunked bool) error {
	for _, slot := range slots {
		i, known := 0, 0
		if slot == keep.slot {
			i = keep.n
		}
		if oldChunked && slot == old.slot {
			known = old.n
		}
		for ; i <= maxChunks; i++ {
			existed, err := s.del(chunkName(name, slot, i), "stale chunk")
			if err != nil {
				return err
			}
			if !existed && i >= known {
				break
			}
		}
	}
	return nil
}
