// Package urlpolicy holds the one copy of this module's rules for URLs that
// carry secrets: which hosts are loopback, which URLs may receive tokens,
// codes and client credentials (https, or http on loopback only: RFC 8252
// §8.3, RFC 9700 §2.6), and how values are clipped and URLs redacted before
// they appear in an error message.
package urlpolicy

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrInsecure reports a URL that would send secrets in the clear: plain
// http to a host that is not loopback.
var ErrInsecure = errors.New("must use https (http is allowed only for loopback hosts)")

// IsLoopbackHost reports whether host (without a port; brackets around an
// IPv6 address are allowed) names the local machine: "localhost"
// (RFC 6761 §6.3, any case), an IPv4 address in 127.0.0.0/8, or ::1.
func IsLoopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// IsLoopbackAddr reports whether addr is a host:port whose host is a
// loopback host.
func IsLoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && IsLoopbackHost(host)
}

// IsMetadataHost reports whether host (without a port) is where a cloud
// metadata server answers over plain http: a link-local address
// (169.254.0.0/16, fe80::/10, AWS's fd00:ec2::254), a loopback host (an
// emulator), or Google's names "metadata.google.internal" and "metadata".
// Nothing else may receive a metadata request over plain http: off the
// local link anyone on the path could read the tokens and forge the
// answers.
func IsMetadataHost(host string) bool {
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	switch strings.ToLower(strings.TrimSuffix(host, ".")) {
	case "metadata.google.internal", "metadata":
		return true
	}
	if IsLoopbackHost(host) {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && (ip.IsLinkLocalUnicast() || ip.Equal(net.ParseIP("fd00:ec2::254")))
}

// Secure reports whether u may carry secrets: https, or http to a loopback
// host.
func Secure(u *url.URL) bool {
	switch strings.ToLower(u.Scheme) {
	case "https":
		return true
	case "http":
		return IsLoopbackHost(u.Hostname())
	}
	return false
}

// CheckEndpoint applies the rule for the URLs of an authorization server
// (issuer, token, revocation, introspection, token-info, device, discovery
// and JWKS endpoints): an absolute URL with a host, no fragment and no user
// information, whose scheme is https, or http when the host is loopback.
// Its errors never quote the URL, which may carry a secret in its query.
func CheckEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return errors.New("not a valid URL")
	}
	if u.Host == "" || !u.IsAbs() {
		return errors.New("not an absolute URL")
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return errors.New("must not have a fragment")
	}
	if u.User != nil {
		return errors.New("must not carry user information")
	}
	switch strings.ToLower(u.Scheme) {
	case "https", "http":
		if !Secure(u) {
			return ErrInsecure
		}
		return nil
	}
	return fmt.Errorf("unsupported scheme %q", Clip(u.Scheme, 16))
}

// IsLoopbackRedirect reports whether raw is an http redirect URI on a
// loopback host, without user information, fragment or opaque part: one a
// local server of this program can receive (RFC 8252 §7.3).
func IsLoopbackRedirect(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "http" || u.User != nil || u.Fragment != "" ||
		u.Opaque != "" || strings.Contains(raw, "#") {
		return false
	}
	return IsLoopbackHost(u.Hostname())
}

// Clip shortens s to at most n bytes (not splitting a UTF-8 sequence),
// marking the cut with "…", for quoting untrusted values in messages.
func Clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

// RedactURL hides the password of a URL carrying user information.
func RedactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}

// RedactQuery returns u for a message: without user information, and with
// "..." for its query, which may hold secrets (an API key, a token).
func RedactQuery(u *url.URL) string {
	v := *u
	if v.RawQuery != "" {
		v.RawQuery = "..."
	}
	v.User = nil
	return v.String()
}

// RedactURLError drops the URL from a *url.Error (an endpoint URL can carry
// a secret in its query), keeping the operation and the cause.
func RedactURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}
