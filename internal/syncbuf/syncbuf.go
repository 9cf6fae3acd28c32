// Package syncbuf provides a bytes buffer safe for concurrent use, for
// tests that read what a running program has written so far.
package syncbuf

import (
	"bytes"
	"sync"
)

// Buffer is a bytes.Buffer whose Write and String may be called from
// different goroutines. The zero value is ready to use.
type Buffer struct {
	// Max, when positive, bounds what the buffer keeps: the first Max
	// bytes written (a child process's output, say); the rest is dropped,
	// though Write reports it written.
	Max int

	mu sync.Mutex // guards b
	b  bytes.Buffer
}

// Write appends p, or as much of it as Max leaves room for.
func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Max > 0 {
		s.b.Write(p[:min(len(p), max(s.Max-s.b.Len(), 0))])
		return len(p), nil
	}
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
