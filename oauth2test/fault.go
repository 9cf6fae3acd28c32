package oauth2test

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// OversizedBodySize is the size of the body a [Fault] with Oversized set
// answers with: more than 1 MiB.
const OversizedBodySize = 1<<20 + 4096

// Fault describes a failure the server injects into requests to an
// endpoint, to test how clients cope. A Fault with only Latency set delays
// requests and then answers them normally; any other field replaces the
// endpoint's answer.
type Fault struct {
	// Path is the endpoint path the fault applies to, e.g. [PathToken] or
	// [PathUserInfo]. Empty means PathToken.
	Path string
	// GrantType, if set, limits a token-endpoint fault to requests with
	// this grant_type parameter.
	GrantType string
	// Count is how many requests the fault applies to before it is removed.
	// Zero or negative means every request until [Server.ClearFaults].
	Count int
	// Latency delays the answer (on the real clock, not Options.Now). The
	// delay ends early if the client gives up.
	Latency time.Duration
	// Status is the HTTP status of the answer. Zero means 400 with Error,
	// and 200 otherwise.
	Status int
	// Error is an OAuth error code (RFC 6749 §5.2), e.g. "invalid_grant",
	// answered as a JSON error body.
	Error string
	// Malformed answers with a truncated JSON body.
	Malformed bool
	// Oversized answers with a JSON body of OversizedBodySize bytes.
	Oversized bool
	// Body is a raw body to answer with, sent with ContentType (default
	// "text/html; charset=utf-8").
	Body        string
	ContentType string
}

// InjectFault adds f to the faults the server applies. When several faults
// match a request, the earliest injected applies.
func (s *Server) InjectFault(f Fault) {
	if f.Path == "" {
		f.Path = PathToken
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// takeFault returns a copy of the first fault matching a request and
// counts it against the fault's Count. Callers hold s.mu.
func (s *Server) takeFault(path, grantType string) *Fault {
	for i, f := range s.faults {
		if f.Path != path || (f.GrantType != "" && f.GrantType != grantType) {
			continue
		}
		c := *f
		if f.Count > 0 {
			f.Count--
			if f.Count == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		s.metrics.faults[path]++
		return &c
	}
	return nil
}

// apply waits out the fault's latency and writes its answer. It reports
// whether it answered the request.
func (f *Fault) apply(w http.ResponseWriter, r *http.Request) bool {
	if f.Latency > 0 {
		t := time.NewTimer(f.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if f.Status == 0 && f.Error == "" && !f.Malformed && !f.Oversized && f.Body == "" {
		return false
	}
	status := f.Status
	if status == 0 {
		status = http.StatusOK
		if f.Error != "" {
			status = http.StatusBadRequest
		}
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	var body string
	switch {
	case f.Body != "":
		ct := f.ContentType
		if ct == "" {
			ct = "text/html; charset=utf-8"
		}
		h.Set("Content-Type", ct)
		body = f.Body
	case f.Oversized:
		h.Set("Content-Type", "application/json")
		const head, tail = `{"access_token":"`, `","token_type":"Bearer"}`
		body = head + strings.Repeat("x", OversizedBodySize-len(head)-len(tail)) + tail
	case f.Malformed:
		h.Set("Content-Type", "application/json")
		body = `{"access_token":"at-malformed","token_type":`
	case f.Error != "":
		h.Set("Content-Type", "application/json")
		b, _ := json.Marshal(map[string]string{"error": f.Error, "error_description": "injected fault"})
		body = string(b)
	default:
		h.Set("Content-Type", "text/plain; charset=utf-8")
		body = http.StatusText(status) + "\n"
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write([]byte(body))
	return true
}
