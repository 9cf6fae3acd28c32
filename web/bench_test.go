package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
)

// BenchmarkRequired compares a request through Required with a warm
// session (the user's credentials in memory) against the bare handler,
// and checks that the hot path reads no store; Required/store-read is a
// request whose user is read from the store (store.Memory) each time.
func BenchmarkRequired(b *testing.B) {
	e := newEnv(b, envOptions{})
	br := newBrowser()
	if status, _ := do(b, br.client, e.url+"/calendars"); status != http.StatusOK {
		b.Fatal(status)
	}
	var session *http.Cookie
	for _, c := range br.jar.Cookies(must(url.Parse(e.url))) {
		if c.Name == sessionName {
			session = c
		}
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest(http.MethodGet, "/calendars", nil)
	req.AddCookie(session)
	warm := e.app
	// An app that reads the store at every request, for comparison.
	cold := e.newApp(func(c *Config) { c.RecheckInterval = time.Nanosecond })
	for _, bc := range []struct {
		name  string
		h     http.Handler
		reads bool
	}{
		{"bare", bare, false},
		{"Required/warm", warm.Required(scopeCal)(bare), false},
		{"Required/store-read", cold.Required(scopeCal)(bare), true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			loads, updates := e.store.loads.Load(), e.store.updates.Load()
			w := &discardWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				w.code = 0
				bc.h.ServeHTTP(w, req)
			}
			if w.code != http.StatusNoContent {
				b.Fatalf("status %d", w.code)
			}
			n := e.store.loads.Load() - loads + e.store.updates.Load() - updates
			if !bc.reads && n != 0 {
				b.Fatalf("%d store reads on the hot path", n)
			}
			b.ReportMetric(float64(n)/float64(b.N), "store-reads/op")
		})
	}
}

// discardWriter is a ResponseWriter that keeps only the status.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.code = code }
