package keylock

import (
	"context"
	"path/filepath"
	"testing"
	"time"
)

// TestSlotsLeave: slots held or waited for leave the table once
// released, abandoned or unlocked, so it does not grow with the keys used.
func TestSlotsLeave(t *testing.T) {
	t.Parallel()
	l := New(filepath.Join(t.TempDir(), "creds.keylock"))
	var unlocks []func()
	for _, key := range []string{"a", "b", "c"} {
		unlock, err := l.Lock(t.Context(), key)
		if err != nil {
			t.Fatal(err)
		}
		unlocks = append(unlocks, unlock)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := l.Lock(ctx, "a"); err == nil {
		t.Fatal("Lock took a held key")
	}
	if n := slots(l); n != 3 {
		t.Errorf("%d slots while 3 keys are held, want 3", n)
	}
	for _, unlock := range unlocks {
		unlock()
		unlock()
	}
	if n := slots(l); n != 0 {
		t.Errorf("%d slots left after every unlock, want 0", n)
	}
}

func slots(l *Locker) int {
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	return len(l.f.slots)
}
