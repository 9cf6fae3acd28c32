package keyring

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gofrs/flock"
	gokeyring "github.com/zalando/go-keyring"

	"github.com/oauth2client/oauth2client"
	"github.com/oauth2client/oauth2client/store"
	"github.com/oauth2client/oauth2client/store/storetest"
)

var expiry = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// testService returns a service name no other test uses, and deletes its
// items when the test ends.
func testService(t *testing.T) string {
	t.Helper()
	service := "oauth2client-test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + rand.Text()[:8]
	t.Cleanup(func() { _ = gokeyring.DeleteAll(service) })
	return service
}

// openStore returns a store on a fresh service with its own lock file.
func openStore(t *testing.T, opts *Options) *Store {
	t.Helper()
	requireSecretService(t)
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.LockPath == "" {
		o.LockPath = filepath.Join(t.TempDir(), "keyring.lock")
	}
	s, err := New(testService(t), &o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestContract(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openStore(t, nil) })
	storetest.CheckExtensions(t, openStore(t, nil))
	storetest.CheckDPoP(t, openStore(t, nil))
}

func TestContractSmallChunks(t *testing.T) {
	// Every credential spans several items.
	storetest.Run(t, func(t *testing.T) store.Store { return openStore(t, &Options{ChunkSize: MinChunkSize}) })
}

// bigCredentials returns credentials whose JSON is longer than n bytes,
// with multi-byte characters so chunk boundaries fall inside them.
func bigCredentials(tag string, n int) *oauth2client.CredentialsState {
	access := tag + "-" + strings.Repeat("é€x", n/6+1)
	return storetest.Credentials(access, expiry)
}

// raw returns an item as the keyring holds it, and whether it exists.
func raw(t *testing.T, s *Store, name string) (string, bool) {
	t.Helper()
	v, err := gokeyring.Get(s.service, name)
	if errors.Is(err, gokeyring.ErrNotFound) {
		return "", false
	}
	if err != nil {
		t.Fatalf("raw Get(%q): %v", name, err)
	}
	return v, true
}

// chunksLeft lists the chunk items of name that exist, up to max per slot.
func chunksLeft(t *testing.T, s *Store, name string, max int) []string {
	t.Helper()
	var left []string
	for _, slot := range slots {
		for i := range max {
			if _, ok := raw(t, s, chunkName(name, slot, i)); ok {
				left = append(left, slot+"/"+strconv.Itoa(i))
			}
		}
	}
	return left
}

func loadAccess(t *testing.T, s *Store, key string) string {
	t.Helper()
	c, err := s.Load(context.Background(), key)
	if err != nil {
		t.Fatalf("Load(%q): %v", key, err)
	}
	return c.Token.AccessToken
}

func TestChunking(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, &Options{ChunkSize: 500})
	const key = "big"
	type step struct {
		name      string
		size      int    // approximate JSON length; 0 means small
		wantSlot  string // "" means stored whole
		wantCount int
	}
	steps := []step{
		{"large", 6000, "a", 0},
		{"larger into the other slot", 9000, "b", 0},
		{"shrinks to fewer chunks", 1500, "a", 0},
		{"small value stored whole", 0, "", 0},
		{"large again", 3000, "a", 0},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			c := storetest.Credentials("small", expiry)
			if st.size > 0 {
				c = bigCredentials(st.name, st.size)
			}
			if err := s.Save(ctx, key, c); err != nil {
				t.Fatal(err)
			}
			if got, want := loadAccess(t, s, key), c.Token.AccessToken; got != want {
				t.Fatalf("loaded access token of %d bytes, want %d bytes", len(got), len(want))
			}
			main, ok := raw(t, s, key)
			if !ok {
				t.Fatal("main item missing")
			}
			if st.wantSlot == "" {
				if isManifest(main) || !strings.HasPrefix(main, "{") {
					t.Fatalf("small value not stored whole: %.60q", main)
				}
				if left := chunksLeft(t, s, key, 200); len(left) != 0 {
					t.Errorf("stale chunks left: %v", left)
				}
				return
			}
			m, err := parseManifest(main)
			if err != nil {
				t.Fatalf("main item of a large value: %v", err)
			}
			if m.slot != st.wantSlot || m.n < 4 {
				t.Errorf("manifest slot %s with %d chunks, want slot %s with several", m.slot, m.n, st.wantSlot)
			}
			var want []string
			for i := range m.n {
				want = append(want, m.slot+"/"+strconv.Itoa(i))
			}
			if left := chunksLeft(t, s, key, 200); !slices.Equal(left, want) {
				t.Errorf("chunks present %v, want exactly %v", left, want)
			}
		})
	}
	t.Run("delete removes chunks", func(t *testing.T) {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
		if _, ok := raw(t, s, key); ok {
			t.Error("main item left after Delete")
		}
		if left := chunksLeft(t, s, key, 200); len(left) != 0 {
			t.Errorf("chunks left after Delete: %v", left)
		}
	})
}

func TestSplitKeepsRunes(t *testing.T) {
	data := strings.Repeat("aé€😀", 100)
	for size := utf8.UTFMax; size < 20; size++ {
		var joined strings.Builder
		for i, p := range split([]byte(data), size) {
			if len(p) == 0 || len(p) > size || !utf8.Valid(p) {
				t.Fatalf("size %d: part %d (%d bytes) is empty, too long or cuts a character", size, i, len(p))
			}
			joined.Write(p)
		}
		if joined.String() != data {
			t.Fatalf("size %d: parts do not join to the input", size)
		}
	}
}

// faulty wraps a backend and fails the Set calls for which failSet
// returns true.
type faulty struct {
	backend
	mu      sync.Mutex
	sets    int
	failSet func(n int, user string) error
}

func (f *faulty) Set(service, user, value string) error {
	f.mu.Lock()
	f.sets++
	n := f.sets
	f.mu.Unlock()
	if f.failSet != nil {
		if err := f.failSet(n, user); err != nil {
			return err
		}
	}
	return f.backend.Set(service, user, value)
}

func TestCrashedWriteKeepsOldValue(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, &Options{ChunkSize: 500})
	old := bigCredentials("old", 3000)
	if err := s.Save(ctx, "k", old); err != nil {
		t.Fatal(err)
	}
	// The next write dies after three chunks of the new value.
	injected := errors.New("injected failure")
	f := &faulty{backend: s.kr, failSet: func(n int, user string) error {
		if n > 3 {
			return injected
		}
		return nil
	}}
	s.kr = f
	err := s.Save(ctx, "k", bigCredentials("new", 6000))
	if !errors.Is(err, injected) {
		t.Fatalf("Save = %v, want the injected error", err)
	}
	if strings.Contains(err.Error(), "é€x") {
		t.Errorf("error contains the value: %v", err)
	}
	s.kr = f.backend
	if got := loadAccess(t, s, "k"); got != old.Token.AccessToken {
		t.Fatal("after a failed write the old value is not intact")
	}
	if left := chunksLeft(t, s, "k", 200); !slices.Contains(left, "b/2") {
		t.Fatalf("expected orphan chunks of the failed write in slot b, have %v", left)
	}
	// The next successful write (into slot b) cleans up slot a and the orphans.
	if err := s.Save(ctx, "k", storetest.Credentials("small", expiry)); err != nil {
		t.Fatal(err)
	}
	if left := chunksLeft(t, s, "k", 200); len(left) != 0 {
		t.Errorf("chunks left: %v", left)
	}
}

func TestIndex(t *testing.T) {
	ctx := context.Background()
	// A small chunk size makes the index itself span several items.
	s := openStore(t, &Options{ChunkSize: MinChunkSize})
	var want []string
	for i := range 30 {
		k := fmt.Sprintf("user-%02d@example.com", 29-i)
		want = append(want, k)
		if err := s.Save(ctx, k, storetest.Credentials("at", expiry)); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(want)
	list := func() []string {
		t.Helper()
		keys, err := s.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return keys
	}
	if got := list(); !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}
	if m, ok := raw(t, s, indexName); !ok || !isManifest(m) {
		t.Errorf("index of 30 keys not chunked at ChunkSize %d", MinChunkSize)
	}

	// Saving again does not duplicate; Update creating a key adds it;
	// Update leaving a missing key alone does not.
	if err := s.Save(ctx, want[0], storetest.Credentials("again", expiry)); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, "new", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		return storetest.Credentials("n", expiry), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, "absent", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) { return nil, nil })
	if err != nil {
		t.Fatal(err)
	}
	want = append(want, "new")
	slices.Sort(want)
	if got := list(); !slices.Equal(got, want) {
		t.Fatalf("List = %v, want %v", got, want)
	}

	// Deleting every key leaves no index and no chunks.
	for _, k := range want {
		if err := s.Delete(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	if got := list(); got == nil || len(got) != 0 {
		t.Errorf("List after deleting all = %#v, want empty", got)
	}
	if _, ok := raw(t, s, indexName); ok {
		t.Error("index item left after deleting every key")
	}
	if left := chunksLeft(t, s, indexName, 20); len(left) != 0 {
		t.Errorf("index chunks left: %v", left)
	}
}

// TestTwoStoresOneProcess checks that two Store values for one service
// exclude each other through the file lock, as two processes would.
func TestTwoStoresOneProcess(t *testing.T) {
	ctx := context.Background()
	requireSecretService(t)
	service, lock := testService(t), filepath.Join(t.TempDir(), "shared.lock")
	var stores []*Store
	for range 2 {
		s, err := New(service, &Options{LockPath: lock})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	if err := stores[0].Save(ctx, "n", storetest.Credentials("0", expiry)); err != nil {
		t.Fatal(err)
	}
	const each = 10
	var wg sync.WaitGroup
	for _, s := range stores {
		for range 2 {
			wg.Go(func() {
				for range each {
					if err := increment(ctx, s, "n"); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
	if got, want := loadAccess(t, stores[1], "n"), strconv.Itoa(4*each); got != want {
		t.Errorf("counter = %s, want %s", got, want)
	}
}

// increment adds one to the number kept as key's access token.
func increment(ctx context.Context, s store.Store, key string) error {
	return s.Update(ctx, key, func(cur *oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		n, err := strconv.Atoi(cur.Token.AccessToken)
		if err != nil {
			return nil, err
		}
		return storetest.Credentials(strconv.Itoa(n+1), expiry), nil
	})
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		service string
		opts    *Options
		want    string
	}{
		{"empty service", "", nil, "empty"},
		{"NUL in service", "a\x00b", nil, "NUL"},
		{"long service", strings.Repeat("s", MaxKeyLen+1), nil, "longer than"},
		{"bad UTF-8", "a\xffb", nil, "UTF-8"},
		{"tiny chunks", "svc", &Options{ChunkSize: 10}, "ChunkSize 10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.service, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "keyring: ") {
				t.Errorf("New = %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestKeyErrors(t *testing.T) {
	// Key checks come before any keyring access.
	s, err := New("svc", &Options{LockPath: filepath.Join(t.TempDir(), "l")})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, tt := range []struct{ name, key, want string }{
		{"empty", "", "empty"},
		{"reserved", indexName, "reserved"},
		{"NUL", "a\x00", "NUL"},
		{"long", strings.Repeat("k", MaxKeyLen+1), "longer than"},
		{"bad UTF-8", "\xff", "UTF-8"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ops := map[string]error{
				"Load":   func() error { _, err := s.Load(ctx, tt.key); return err }(),
				"Save":   s.Save(ctx, tt.key, storetest.Credentials("x", expiry)),
				"Delete": s.Delete(ctx, tt.key),
				"Update": s.Update(ctx, tt.key, func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) { return nil, nil }),
			}
			for op, err := range ops {
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), `service "svc"`) {
					t.Errorf("%s = %v, want an error naming the service and %q", op, err, tt.want)
				}
			}
		})
	}
}

func TestStoredValueErrors(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, &Options{ChunkSize: 500})
	const secret = "SUPER-SECRET-VALUE"
	sum := manifest{slot: "a", n: 2, size: 10}
	tests := []struct {
		name  string
		items map[string]string // raw items to plant
		want  string
	}{
		{"not JSON", map[string]string{"k": `{"access_token":"` + secret + `",`}, "stored value"},
		{"bad manifest", map[string]string{"k": manifestPrefix + "slot=z n=1 len=1 sha256=00"}, "manifest"},
		{"missing chunk", map[string]string{"k": sum.String(), chunkName("k", "a", 0): secret[:5]}, "chunk 2 of 2"},
		{"checksum mismatch", map[string]string{"k": sum.String(), chunkName("k", "a", 0): "01234", chunkName("k", "a", 1): "56789"}, "checksum"},
		{"chunks too long", map[string]string{"k": sum.String(), chunkName("k", "a", 0): secret, chunkName("k", "a", 1): secret}, "longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for name, v := range tt.items {
				if err := gokeyring.Set(s.service, name, v); err != nil {
					t.Fatal(err)
				}
			}
			_, err := s.Load(ctx, "k")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load = %v, want an error mentioning %q", err, tt.want)
			}
			msg := err.Error()
			if !strings.Contains(msg, s.service) || !strings.Contains(msg, `"k"`) {
				t.Errorf("error does not name the service and key: %v", err)
			}
			if strings.Contains(msg, secret) || strings.Contains(msg, secret[:5]) {
				t.Errorf("error leaks the stored value: %v", err)
			}
			// A damaged entry can still be overwritten and deleted.
			if err := s.Save(ctx, "k", bigCredentials("fix", 1000)); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(ctx, "k"); err != nil {
				t.Fatal(err)
			}
			if left := chunksLeft(t, s, "k", 10); len(left) != 0 {
				t.Errorf("chunks left: %v", left)
			}
		})
	}

	t.Run("bad index", func(t *testing.T) {
		if err := gokeyring.Set(s.service, indexName, "[1,2"); err != nil {
			t.Fatal(err)
		}
		defer gokeyring.Delete(s.service, indexName)
		_, err := s.List(ctx)
		if err == nil || !strings.Contains(err.Error(), "index") || !strings.Contains(err.Error(), s.service) {
			t.Errorf("List = %v, want an index error naming the service", err)
		}
	})
}

func TestNotFound(t *testing.T) {
	s := openStore(t, nil)
	_, err := s.Load(context.Background(), "missing")
	if !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Load = %v, want ErrNotFound", err)
	}
	if !strings.Contains(err.Error(), s.service) || !strings.Contains(err.Error(), `"missing"`) {
		t.Errorf("error does not name the service and key: %v", err)
	}
}

func TestBackendErrors(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	base := s.kr
	defer func() { s.kr = base }()
	s.kr = &faulty{backend: base, failSet: func(int, string) error { return gokeyring.ErrSetDataTooBig }}
	err := s.Save(ctx, "k", storetest.Credentials("secret-access-token", expiry))
	if !errors.Is(err, gokeyring.ErrSetDataTooBig) || !strings.Contains(err.Error(), "ChunkSize") {
		t.Errorf("Save = %v, want ErrSetDataTooBig advising ChunkSize", err)
	}
	if strings.Contains(err.Error(), "secret-access-token") {
		t.Errorf("error leaks the value: %v", err)
	}
}

func TestLockTimeout(t *testing.T) {
	lock := filepath.Join(t.TempDir(), "held.lock")
	holder := flock.New(lock)
	if err := holder.Lock(); err != nil {
		t.Fatal(err)
	}
	defer holder.Unlock()
	s, err := New("svc", &Options{LockPath: lock, LockTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(context.Background(), "k", func(*oauth2client.CredentialsState) (*oauth2client.CredentialsState, error) {
		t.Error("fn ran without the lock")
		return nil, nil
	})
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("Update = %v, want a timeout naming the lock file", err)
	}
	// A cancelled context is honoured too.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.List(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled context = %v", err)
	}
}

func TestClosed(t *testing.T) {
	s, err := New("svc", &Options{LockPath: filepath.Join(t.TempDir(), "l")})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if _, err := s.List(context.Background()); err == nil || !strings.Contains(err.Error(), "closed") {
		t.Errorf("List after Close = %v", err)
	}
}

func TestDefaultLockPath(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	a, err := New("service one", nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := New("service two", nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(cache, "oauth2client")
	if a.LockPath() == b.LockPath() || filepath.Dir(a.LockPath()) != dir {
		t.Fatalf("lock paths %q and %q, want two files in %s", a.LockPath(), b.LockPath(), dir)
	}
	release, err := a.acquire(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	release()
	for path, want := range map[string]os.FileMode{dir: 0o700 | os.ModeDir, a.LockPath(): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
		}
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add(manifest{slot: "a", n: 3, size: 600}.String())
	f.Add(manifestPrefix + "slot=b n=4096 len=1048576 sha256=" + strings.Repeat("ab", 32))
	f.Add(manifestPrefix + "slot=a n=0 len=1 sha256=00")
	f.Add(manifestPrefix + "slot=a n=1")
	f.Add(`{"access_token":"x"}`)
	f.Fuzz(func(t *testing.T, v string) {
		m, err := parseManifest(v)
		if err != nil {
			return
		}
		m2, err := parseManifest(m.String())
		if err != nil || m2 != m {
			t.Fatalf("round trip of %q: %v, %+v != %+v", v, err, m2, m)
		}
	})
}

// TestFailedDeleteKeepsListedKeysLoadable: when Delete fails to update the
// index, no key is left listed without a value: every key List shows loads.
func TestFailedDeleteKeepsListedKeysLoadable(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, nil)
	for _, k := range []string{"a", "b"} {
		if err := s.Save(ctx, k, storetest.Credentials(k, expiry)); err != nil {
			t.Fatal(err)
		}
	}
	injected := errors.New("injected failure")
	f := &faulty{backend: s.kr, failSet: func(_ int, user string) error {
		if user == indexName {
			return injected
		}
		return nil
	}}
	s.kr = f
	if err := s.Delete(ctx, "a"); !errors.Is(err, injected) {
		t.Fatalf("Delete = %v, want the injected error", err)
	}
	s.kr = f.backend
	keys, err := s.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if _, err := s.Load(ctx, k); err != nil {
			t.Errorf("List shows %q, but Load fails: %v", k, err)
		}
	}
}
