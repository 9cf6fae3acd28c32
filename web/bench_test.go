package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// BenchmarkRequired compares a request through Required with a warm
// session (the user's credentials in memory) against the bare handler,
// and checks that the hot path reads no store.
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
	for _, bc := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", bare},
		{"Required", e.app.Required(scopeCal)(bare)},
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
			if n := e.store.loads.Load() - loads + e.store.updates.Load() - updates; n != 0 {
				b.Fatalf("%d store reads on the hot path", n)
			}
			b.ReportMetric(0, "store-reads/op")
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
