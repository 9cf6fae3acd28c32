package storetest

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/oauth2client/oauth2client/store"
)

// HungTokenServer is a token endpoint on 127.0.0.1 that never answers a
// refresh with one refresh token (until the test ends or Release is
// called) and answers every other refresh at once with the access token
// "at-for-" + the refresh token and an hour of life.
type HungTokenServer struct {
	*httptest.Server

	hang     string
	hungOnce sync.Once
	hung     chan struct{} // closed when the first hung request arrives
	release  chan struct{}
	relOnce  sync.Once
}

// NewHungTokenServer starts a server that hangs the refreshes of the
// refresh token hang.
func NewHungTokenServer(t testing.TB, hang string) *HungTokenServer {
	s := &HungTokenServer{hang: hang, hung: make(chan struct{}), release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(func() {
		s.Release()
		s.Close()
	})
	return s
}

func (s *HungTokenServer) serve(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	rt := r.PostForm.Get("refresh_token")
	if rt == s.hang {
		s.hungOnce.Do(func() { close(s.hung) })
		select {
		case <-s.release:
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, "at-for-"+rt)
}

// Hung is closed when the first request for the hung refresh token has
// arrived (and hangs).
func (s *HungTokenServer) Hung() <-chan struct{} { return s.hung }

// Release lets the hung requests answer.
func (s *HungTokenServer) Release() { s.relOnce.Do(func() { close(s.release) }) }

// HungRefresh binds key of st (whose refresh token s hangs) and asks for a
// token in a goroutine, returning once the request hangs at s; the channel
// receives the outcome after [HungTokenServer.Release].
func (s *HungTokenServer) HungRefresh(t testing.TB, st store.Store, key string) <-chan error {
	t.Helper()
	c, err := store.Bind(context.Background(), st, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := c.Token(context.Background())
		done <- err
	}()
	<-s.Hung()
	return done
}
