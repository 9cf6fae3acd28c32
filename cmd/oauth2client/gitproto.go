package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/oauth2client/oauth2client/internal/urlpolicy"
)

// Bounds of a git credential request read from stdin.
const (
	maxGitLine  = 64 << 10  // one key=value line
	maxGitLines = 1 << 10   // lines before the blank one
	maxGitInput = 256 << 10 // all of them
)

// gitRequest is a credential description git sends a helper (see
// git-credential(1), "INPUT/OUTPUT FORMAT"): key=value lines up to a blank
// line or the end of input. Keys ending in "[]" (wwwauth[], capability[])
// may repeat and collect their values in order; an empty value clears
// them. Other keys keep their last value.
type gitRequest map[string][]string

// get returns the value of key, "" if absent.
func (r gitRequest) get(key string) string {
	if v := r[key]; len(v) > 0 {
		return v[len(v)-1]
	}
	return ""
}

// readGitRequest reads a credential description from r. It reads no
// further than the blank line that ends it.
func readGitRequest(r io.Reader) (gitRequest, error) {
	req := gitRequest{}
	br := bufio.NewReaderSize(io.LimitReader(r, maxGitInput), 4096)
	total := 0
	for n := 0; ; n++ {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("git credential request: %w", err)
		}
		total += len(line)
		if total >= maxGitInput {
			return nil, fmt.Errorf("git credential request: longer than %d bytes", maxGitInput)
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			return req, nil // a blank line or the end of input
		}
		if n >= maxGitLines || len(line) > maxGitLine {
			return nil, fmt.Errorf("git credential request: more than %d lines or a line longer than %d bytes", maxGitLines, maxGitLine)
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || key == "" {
			return nil, fmt.Errorf("git credential request: line %d is not key=value", n+1)
		}
		if strings.ContainsRune(line, 0) {
			return nil, fmt.Errorf("git credential request: line %d (key %q) holds a NUL byte", n+1, urlpolicy.Clip(key, 40))
		}
		switch {
		case strings.HasSuffix(key, "[]") && value == "":
			delete(req, key)
		case strings.HasSuffix(key, "[]"):
			req[key] = append(req[key], value)
		default:
			req[key] = []string{value}
		}
		if errors.Is(err, io.EOF) {
			return req, nil
		}
	}
}

// gitAttr is one key=value line of a helper's answer.
type gitAttr struct{ key, value string }

// writeGitAnswer writes attrs as git reads them. A value holding a newline
// or a NUL byte would end or corrupt the answer: it is refused, naming
// only the key.
func writeGitAnswer(w io.Writer, attrs []gitAttr) error {
	var b strings.Builder
	for _, a := range attrs {
		if strings.ContainsAny(a.value, "\n\r\x00") {
			return fmt.Errorf("git credential answer: the value of %s holds a line break or NUL byte", a.key)
		}
		b.WriteString(a.key + "=" + a.value + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// gitHostAllowed reports whether a token may be sent for the request: over
// https, or plain http to a loopback host, and to one of hosts (git's host
// attribute, with its port if the URL had one). No hosts allows none,
// unless anyHost (--any-host) says every host.
func gitHostAllowed(req gitRequest, hosts []string, anyHost bool) (bool, string) {
	host := req.get("host")
	switch proto := req.get("protocol"); {
	case host == "":
		return false, "the request names no host"
	case proto == "https":
	case proto == "http" && urlpolicy.IsLoopbackHost(hostOnly(host)):
	default:
		return false, fmt.Sprintf("protocol %q to host %s: tokens go only over https (or http to a loopback host)", urlpolicy.Clip(proto, 20), urlpolicy.Clip(host, 80))
	}
	if anyHost {
		return true, ""
	}
	if len(hosts) == 0 {
		return false, "no --host names the git servers this helper answers for: give --host " + urlpolicy.Clip(host, 80) + " (repeatable), or --any-host to hand the token to every https host"
	}
	for _, h := range hosts {
		if strings.EqualFold(h, host) {
			return true, ""
		}
	}
	return false, fmt.Sprintf("host %s is not one of --host %s", urlpolicy.Clip(host, 80), strings.Join(hosts, ", "))
}

// hostOnly strips a port from git's host attribute.
func hostOnly(host string) string {
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		return host[:i]
	}
	return host
}
