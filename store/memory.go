package store

import (
	"context"
	"encoding/json"
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
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory() *Memory { return &Memory{} }

// Load implements [Store].
func (m *Memory) Load(_ context.Context, key string) (*oauth2client.Credentials, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.loadLocked(key)
}

func (m *Memory) loadLocked(key string) (*oauth2client.Credentials, error) {
	b, ok := m.entries[key]
	if !ok {
		return nil, ErrNotFound
	}
	return oauth2client.ParseCredentialsJSON(b)
}

// Save implements [Store].
func (m *Memory) Save(_ context.Context, key string, c *oauth2client.Credentials) error {
	b, err := json.Marshal(c)
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

// Close implements [Store]; it does nothing.
func (m *Memory) Close() error { return nil }

var _ oauth2client.CredentialsStore = Store(nil)
