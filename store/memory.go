package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/oauth2client/oauth2client"
)

// Memory is a [Store] held in memory, for tests and single-process
// programs. Entries are kept as JSON, so a value read back never shares
// state with the one saved. The zero value is ready to use.
type Memory struct {
	mu      sync.Mutex // guards entries; held across an Update's fn
	entries map[string][]byte

	refreshMu sync.Mutex               // guards refresh
	refresh   map[string]chan struct{} // the refresh locks held, by key
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{} }

// Load implements [Store].
func (m *Memory) Load(_ context.Context, key string) (*oauth2client.CredentialsState, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loadLocked(key)
}

func (m *Memory) loadLocked(key string) (*oauth2client.CredentialsState, error) {
	b, ok := m.entries[key]
	if !ok {
		return nil, ErrNotFound
	}
	var st oauth2client.CredentialsState
	if err := json.Unmarshal(b, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// Save implements [Store].
func (m *Memory) Save(_ context.Context, key string, st *oauth2client.CredentialsState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.entries == nil {
		m.entries = make(map[string][]byte)
	}
	m.entries[key] = b
	return nil
}

// Delete implements [Store].
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.entries, key)
	return nil
}

// List implements [Store].
func (m *Memory) List(context.Context) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	keys := make([]string, 0, len(m.entries))
	for k := range m.entries {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys, nil
}

// Update implements [Store].
func (m *Memory) Update(ctx context.Context, key string, fn UpdateFunc) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	cur, err := m.loadLocked(key)
	if err != nil && err != ErrNotFound {
		return err
	}
	next, err := fn(cur)
	if err != nil || next == nil {
		return err
	}
	b, err := json.Marshal(next)
	if err != nil {
		return err
	}
	if m.entries == nil {
		m.entries = make(map[string][]byte)
	}
	m.entries[key] = b
	return nil
}

// LockRefresh implements [Store] with a lock per key in this process.
func (m *Memory) LockRefresh(ctx context.Context, key string) (func(), error) {
	for {
		m.refreshMu.Lock()
		held, busy := m.refresh[key]
		if !busy {
			if m.refresh == nil {
				m.refresh = make(map[string]chan struct{})
			}
			done := make(chan struct{})
			m.refresh[key] = done
			m.refreshMu.Unlock()
			return sync.OnceFunc(func() {
				m.refreshMu.Lock()
				delete(m.refresh, key)
				m.refreshMu.Unlock()
				close(done)
			}), nil
		}
		m.refreshMu.Unlock()
		select {
		case <-held:
		case <-ctx.Done():
			return nil, fmt.Errorf("store: waiting for the refresh lock of %q: %w", key, context.Cause(ctx))
		}
	}
}

// Close implements [Store]; it does nothing.
func (m *Memory) Close() error { return nil }

var _ oauth2client.CredentialsStore = Store(nil)
