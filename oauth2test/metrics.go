package oauth2test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxLabelValues bounds how many distinct grant_type values are counted
// separately; later new values are counted under grant_type="(other)".
const maxLabelValues = 1000

// knownPaths are the paths counted under their own label; requests to any
// other path are counted under path="(other)".
var knownPaths = []string{
	PathAuthorize, PathToken, PathRevoke, PathTokenInfo, PathIntrospect,
	PathUserInfo, PathJWKS, PathMetrics, PathOIDCConfig, PathOAuthConfig,
	PathCalendarList, PathDeviceCode, PathDevice, PathPAR, PathEndSession,
}

// pathCode keys the HTTP request counter.
type pathCode struct {
	path string
	code int
}

// metrics holds the server's counters; guarded by Server.mu.
type metrics struct {
	tokenRequests map[string]int64
	httpRequests  map[pathCode]int64
	issued        map[string]int64
	revoked       map[string]int64
	faults        map[string]int64
}

func newMetrics() metrics {
	return metrics{
		tokenRequests: make(map[string]int64),
		httpRequests:  make(map[pathCode]int64),
		issued:        make(map[string]int64),
		revoked:       make(map[string]int64),
		faults:        make(map[string]int64),
	}
}

func (m *metrics) countToken(grantType string) {
	if _, ok := m.tokenRequests[grantType]; !ok && len(m.tokenRequests) >= maxLabelValues {
		grantType = "(other)"
	}
	m.tokenRequests[grantType]++
}

func (m *metrics) countRequest(path string, code int) {
	if p, ok := patternOf(path); ok {
		path = p
	} else if !slices.Contains(knownPaths, path) {
		path = "(other)"
	}
	m.httpRequests[pathCode{path, code}]++
}

// escapeLabel escapes a label value for the Prometheus text format:
// backslash, double quote and line feed. Invalid UTF-8 is replaced with
// U+FFFD, since the format is UTF-8.
func escapeLabel(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(v)
}

// writeCounter writes one metric family with a single label.
func writeCounter(b *strings.Builder, name, help, typ, label string, values map[string]int64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(b, "%s{%s=\"%s\"} %d\n", name, label, escapeLabel(k), values[k])
	}
}

// serveMetrics answers GET /metrics in the Prometheus text exposition
// format, version 0.0.4.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	s.mu.Lock()
	writeCounter(&b, "oauth2test_token_requests_total",
		"Token endpoint requests, by grant_type parameter as received.", "counter",
		"grant_type", s.metrics.tokenRequests)
	writeCounter(&b, "oauth2test_tokens_issued_total",
		"Tokens issued, by kind.", "counter", "kind", s.metrics.issued)
	writeCounter(&b, "oauth2test_tokens_revoked_total",
		"Tokens revoked, by kind.", "counter", "kind", s.metrics.revoked)
	writeCounter(&b, "oauth2test_faults_injected_total",
		"Requests answered with an injected fault, by path.", "counter", "path", s.metrics.faults)
	writeCounter(&b, "oauth2test_dpop_proofs_total",
		"DPoP proofs received, by outcome.", "counter", "outcome", s.dpop.counts)
	s.writeMTLSMetrics(&b)

	b.WriteString("# HELP oauth2test_http_requests_total HTTP requests answered, by path and status code.\n")
	b.WriteString("# TYPE oauth2test_http_requests_total counter\n")
	keys := make([]pathCode, 0, len(s.metrics.httpRequests))
	for k := range s.metrics.httpRequests {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b pathCode) int {
		if c := strings.Compare(a.path, b.path); c != 0 {
			return c
		}
		return a.code - b.code
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "oauth2test_http_requests_total{path=\"%s\",code=\"%d\"} %d\n",
			escapeLabel(k.path), k.code, s.metrics.httpRequests[k])
	}

	now := s.now()
	active := 0
	for _, t := range s.access {
		if !t.revoked && !t.grant.revoked && now.Before(t.expiry) {
			active++
		}
	}
	s.mu.Unlock()
	b.WriteString("# HELP oauth2test_active_access_tokens Access tokens neither expired nor revoked.\n")
	b.WriteString("# TYPE oauth2test_active_access_tokens gauge\n")
	b.WriteString("oauth2test_active_access_tokens " + strconv.Itoa(active) + "\n")

	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Write([]byte(b.String()))
}
